// Crash-point fuzzing: run a workflow once to learn its commit points, then once per commit
// point, dropping the engine right before that write reaches the database (nothing of it, or of
// anything queued behind it, is flushed), recover on a new engine from the same file, and check
// that the outcome is the clean run's and that no step result was committed twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	type AnyWorkflowClass,
	type Engine,
	type InstanceStatus,
	type Store,
	seededRandom,
	toJsonValue,
	v8Serializer,
	WeftError,
	type WorkflowMap,
} from "@weft/core";
import { Engine as EngineClass, SqliteStore } from "weft";

export interface FuzzOptions {
	params?: unknown;
	env?: Record<string, unknown>;
	/** Sleeps and retry waits end at once (default true), so each run takes milliseconds. */
	fastTimers?: boolean;
	/** Give up on a run after this long (ms, default 10 s). */
	timeoutMs?: number;
	/** Crashes injected inside step bodies, at body starts picked by `seed` (default 3). */
	bodyCrashes?: number;
	/** Seed of the in-body crash points (default 1): the same seed crashes at the same points. */
	seed?: number;
}

export interface FuzzReport {
	/** Writes of the clean run at which a crash was injected. */
	commitPoints: number;
	/** Step bodies (counted from 1 in the order they started) inside which a crash was injected. */
	bodyCrashPoints: number[];
	/** The clean run's outcome, which every recovered run matched. */
	outcome: InstanceStatus;
	/** The most times any run executed each step's body (at least once by design; twice after a crash between a body and its commit). */
	bodyRuns: Record<string, number>;
}

const WORKFLOW = "fuzzed";

/** A store that dies just before its `crashAt`-th activation write: that write and everything after never happen. */
function crashingStore(inner: SqliteStore, crashAt: number): { store: Store; writes: () => number; crashed: () => boolean; crashNow: () => void } {
	let writes = 0;
	let crashed = false;
	const crashNow = () => {
		if (crashed) return;
		crashed = true;
		inner.db.close();
	};
	const never = () => new Promise<never>(() => {});
	const store = new Proxy(inner as unknown as Store, {
		get(target, prop) {
			const value = Reflect.get(target, prop, target);
			if (typeof value !== "function") return value;
			if (prop === "close") return async () => (crashed ? undefined : inner.close());
			const counted = prop === "appendJournal" || prop === "completeActivation";
			return (...args: unknown[]) => {
				if (crashed) return never();
				if (counted && ++writes === crashAt) {
					// The process is gone: the queue of writes not yet committed is dropped with it.
					crashNow();
					return never();
				}
				return value.apply(target, args);
			};
		},
	});
	return { store, writes: () => writes, crashed: () => crashed, crashNow };
}

async function runOnce(
	Workflow: AnyWorkflowClass,
	options: FuzzOptions,
	database: string,
	crashAt: number,
	bodyRuns: Map<string, number>,
	crashInBody = 0,
): Promise<{ engine: Engine<WorkflowMap>; writes: () => number; crashed: () => boolean; bodyStarts: () => number }> {
	const crashing = crashingStore(new SqliteStore({ path: database }), crashAt);
	const engine = new EngineClass({
		store: crashing.store,
		workflows: { FUZZED: { name: WORKFLOW, class: Workflow } },
		env: options.env ?? {},
		onError: () => {},
	});
	const fast = options.fastTimers ?? true;
	let bodyStarts = 0;
	engine.intercept(WORKFLOW, null, {
		attempt: (step) => {
			const key = `${step.name}#${step.count}`;
			bodyRuns.set(key, (bodyRuns.get(key) ?? 0) + 1);
			// The process dies while this body runs: the body goes on, nothing it returns is ever written.
			if (++bodyStarts === crashInBody) crashing.crashNow();
			return undefined;
		},
		...(fast ? { sleep: () => 0, retryDelay: () => 0 } : {}),
	});
	await engine.start();
	return { engine, ...crashing, bodyStarts: () => bodyStarts };
}

async function settle(engine: Engine<WorkflowMap>, crashed: () => boolean, timeoutMs: number): Promise<InstanceStatus | "crashed"> {
	const deadline = Date.now() + timeoutMs;
	const binding = engine.workflow(WORKFLOW);
	for (;;) {
		if (crashed()) return "crashed";
		const s = await Promise.race([binding.get("subject").then((i) => i.status()), new Promise<null>((r) => setTimeout(() => r(null), 50))]);
		if (s && (s.status === "complete" || s.status === "errored")) return s;
		if (Date.now() > deadline)
			throw new WeftError("testing.fuzz_timeout", `the fuzzed workflow did not finish within ${timeoutMs} ms (last status ${s?.status ?? "unknown"})`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** Checks the journal: one settled result per step. */
async function committedOnce(database: string): Promise<string[]> {
	const store = new SqliteStore({ path: database });
	try {
		const seen = new Map<string, number>();
		for (const r of await store.readJournal({ workflow: WORKFLOW, id: "subject" })) {
			if (r.kind !== "attempt" || !r.key) continue;
			const entry = v8Serializer.decode(r.data) as { final?: boolean };
			if (entry.final) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
		}
		return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} committed ${n} times`);
	} finally {
		await store.close();
	}
}

export async function fuzzCrashes(Workflow: AnyWorkflowClass, options: FuzzOptions = {}): Promise<FuzzReport> {
	const timeoutMs = options.timeoutMs ?? 10_000;
	const dir = mkdtempSync(join(tmpdir(), "weft-fuzz-"));
	const bodyRuns = new Map<string, number>();
	try {
		// The clean run: its outcome is the reference, its writes the commit points.
		const cleanDb = join(dir, "clean.db");
		const clean = await runOnce(Workflow, options, cleanDb, Number.POSITIVE_INFINITY, new Map());
		await clean.engine.workflow(WORKFLOW).create({ id: "subject", params: options.params });
		const reference = await settle(clean.engine, clean.crashed, timeoutMs);
		const commitPoints = clean.writes();
		const bodyStarts = clean.bodyStarts();
		await clean.engine.close({ graceMs: 0 });
		if (reference === "crashed") throw new WeftError("testing.fuzz_failed", "the clean run crashed");

		const crashAndRecover = async (label: string, database: string, crashAt: number, crashInBody: number) => {
			const runs = new Map<string, number>();
			const first = await runOnce(Workflow, options, database, crashAt, runs, crashInBody);
			await first.engine.workflow(WORKFLOW).create({ id: "subject", params: options.params });
			const before = await settle(first.engine, first.crashed, timeoutMs);
			if (before !== "crashed") throw new WeftError("testing.fuzz_failed", `the run meant to crash ${label} finished first`);
			// A new process on the same file: it must carry on to the clean run's outcome.
			const second = await runOnce(Workflow, options, database, Number.POSITIVE_INFINITY, runs);
			const after = await settle(second.engine, second.crashed, timeoutMs);
			await second.engine.close({ graceMs: 0 });
			if (after === "crashed") throw new WeftError("testing.fuzz_failed", "the recovery run crashed");
			if (JSON.stringify(toJsonValue(after)) !== JSON.stringify(toJsonValue(reference))) {
				throw new WeftError(
					"testing.fuzz_failed",
					`after a crash ${label}, the instance ended ${JSON.stringify(after)}; the clean run ended ${JSON.stringify(reference)}`,
				);
			}
			const twice = await committedOnce(database);
			if (twice.length) throw new WeftError("testing.fuzz_failed", `after a crash ${label}: ${twice.join(", ")}`);
			for (const [k, n] of runs) bodyRuns.set(k, Math.max(bodyRuns.get(k) ?? 0, n));
		};

		for (let crashAt = 1; crashAt <= commitPoints; crashAt++)
			await crashAndRecover(`at write ${crashAt} of ${commitPoints}`, join(dir, `crash-${crashAt}.db`), crashAt, 0);

		// Crashes inside step bodies, at body starts the seed picks.
		const random = seededRandom(options.seed ?? 1);
		const bodyCrashPoints = [
			...new Set(Array.from({ length: Math.min(options.bodyCrashes ?? 3, bodyStarts) }, () => 1 + Math.floor(random() * bodyStarts))),
		].sort((a, b) => a - b);
		for (const start of bodyCrashPoints)
			await crashAndRecover(`inside step body ${start} of ${bodyStarts}`, join(dir, `body-${start}.db`), Number.POSITIVE_INFINITY, start);
		return { commitPoints, bodyCrashPoints, outcome: reference, bodyRuns: Object.fromEntries(bodyRuns) };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
