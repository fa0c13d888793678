// A seeded simulation of the engine itself: several engines (workers) share one real store, each
// through a fault-injecting view of the Store port, while a seed decides when an engine crashes
// (its pending writes never land), stalls (its calls are held while its leases expire and others
// take over), comes back, when store calls fail, and how far the shared virtual clock jumps. Once
// everything is healed and every instance has finished, the guarantees of DESIGN.md §2 are
// checked: every instance ends with the output its params determine, every step's result is
// committed exactly once, every body ran at least once, and every body saw the committed result
// of the step before it. A failing seed reproduces from its number.
import {
	type Clock,
	Engine,
	ManualClock,
	type Store,
	seededRandom,
	v8Serializer,
	WeftError,
	WorkflowEntrypoint,
	type WorkflowEvent,
	type WorkflowStep,
} from "@weft/core";

export interface SimulationOptions {
	seed: number;
	/** The real store every engine shares (a SQLite file, a PostgreSQL schema). Closed by the simulation. */
	openStore: () => Promise<Store> | Store;
	/** Instances to run (default 6). */
	instances?: number;
	/** Engines sharing the store (default 3). */
	engines?: number;
	/** Faults and clock jumps before healing (default 40). */
	actions?: number;
	/** Workflow name, so several simulations can share one database (default "sim"). */
	workflow?: string;
}

export interface SimulationReport {
	seed: number;
	/** What the seed did, in order ("crash e1", "advance 2000 ms", …): the same seed gives the same plan. */
	trace: string[];
	/** Step bodies run in all; more than the steps when crashes made some run again (at least once, by design). */
	bodyRuns: number;
	steps: number;
	/** Step results committed: always exactly `steps`. */
	committed: number;
}

const STEPS = 4;
const LEASE_MS = 3_000;

/** What a step body saw and returned, per instance and step. */
type Runs = Map<string, number[]>;

interface SimParams {
	n: number;
	/** The step whose first attempt fails (retried), or -1. */
	flaky: number;
}

/** The output the params determine; a simulation that ends with anything else broke a guarantee. */
function expected(p: SimParams): number {
	let acc = p.n;
	for (let i = 0; i < STEPS; i++) acc = (acc * 3 + i) % 1_000_003;
	return acc;
}

class SimWorkflow extends WorkflowEntrypoint<{ RUNS: Runs }, SimParams> {
	async run(event: WorkflowEvent<SimParams>, step: WorkflowStep) {
		let acc = event.payload.n;
		for (let i = 0; i < STEPS; i++) {
			const input = acc;
			acc = await step.do(`s${i}`, { retries: { limit: 3, delay: 200, backoff: "constant" } }, async (ctx) => {
				const key = `${event.instanceId}/s${i}`;
				this.env.RUNS.set(key, [...(this.env.RUNS.get(key) ?? []), input]);
				if (ctx.attempt === 1 && event.payload.flaky === i) throw new Error("flaky");
				return (input * 3 + i) % 1_000_003;
			});
			if (i === 1) await step.sleep("nap", 500 * ((event.payload.n % 3) + 1));
		}
		return acc;
	}
}

type WorkerState = "up" | "paused" | "crashed";

/** One engine's view of the shared store: calls pass, wait (paused), vanish (crashed) or fail (an injected fault). */
class FaultyView {
	state: WorkerState = "up";
	readonly #held: (() => void)[] = [];
	readonly store: Store;

	constructor(inner: Store, failWrite: () => boolean) {
		const never = () => new Promise<never>(() => {});
		const writes = new Set(["appendJournal", "completeActivation", "claimActivations", "renewLeases", "releaseLeases", "createInstances"]);
		this.store = new Proxy(inner, {
			get: (target, prop) => {
				const value = Reflect.get(target, prop, target);
				if (typeof value !== "function") return value;
				// The store is shared: one engine closing must not close it for the others.
				if (prop === "close") return async () => {};
				return (...args: unknown[]) => {
					const call = () => value.apply(target, args);
					if (this.state === "crashed") return never();
					if (writes.has(prop as string) && failWrite()) return Promise.reject(new Error(`injected fault in ${String(prop)}`));
					if (this.state === "paused")
						return new Promise((resolve, reject) => this.#held.push(() => (this.state === "crashed" ? undefined : call().then(resolve, reject))));
					return call();
				};
			},
		});
	}

	resume(): void {
		this.state = "up";
		for (const release of this.#held.splice(0)) release();
	}
}

export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
	const random = seededRandom(options.seed);
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
	const workflow = options.workflow ?? "sim";
	const faultRate = pick([0, 0, 0.02, 0.05]);
	const clock = new ManualClock(Date.UTC(2026, 0, 1));
	const store = await options.openStore();
	const runs: Runs = new Map();
	const trace: string[] = [`fault rate ${faultRate}`];
	const workers: { view: FaultyView; engine: Engine }[] = [];
	const engineErrors: string[] = [];

	const startWorker = async (slot: number) => {
		const view = new FaultyView(store, () => faultRate > 0 && random() < faultRate);
		const engine = new Engine({
			store: view.store,
			clock: clock as Clock,
			workflows: { SIM: { name: workflow, class: SimWorkflow } },
			env: { RUNS: runs },
			leaseMs: LEASE_MS,
			onError: (e, context) => {
				// Injected faults and lost leases are the point; anything else is a finding.
				const message = String((e as Error)?.message ?? e);
				if (!/injected fault|lease/i.test(message)) engineErrors.push(`${context}: ${message}`);
			},
		});
		workers[slot] = { view, engine };
		await engine.start();
	};

	try {
		const engines = options.engines ?? 3;
		for (let i = 0; i < engines; i++) await startWorker(i);
		const count = options.instances ?? 6;
		const params: SimParams[] = Array.from({ length: count }, (_, i) => ({ n: i + 1 + Math.floor(random() * 1000), flaky: pick([-1, -1, 0, 1, 2, 3]) }));
		await store.createInstances(
			params.map((p, i) => ({ workflow, id: `i${i}`, params: v8Serializer.encode(p) })),
			clock.now(),
		);
		for (const w of workers) w.engine.wake();

		for (let a = 0; a < (options.actions ?? 40); a++) {
			const slot = Math.floor(random() * engines);
			const w = workers[slot] as { view: FaultyView; engine: Engine };
			const roll = random();
			if (roll < 0.45) {
				const ms = pick([5, 50, 400, 1_500, 4_000]);
				trace.push(`advance ${ms} ms`);
				await clock.advance(ms);
			} else if (roll < 0.6 && w.view.state !== "crashed") {
				trace.push(`crash e${slot}`);
				w.view.state = "crashed";
				void w.engine.close({ graceMs: 0 });
			} else if (roll < 0.75 && w.view.state === "crashed") {
				trace.push(`restart e${slot}`);
				await startWorker(slot);
			} else if (roll < 0.87 && w.view.state === "up") {
				trace.push(`stall e${slot}`);
				w.view.state = "paused";
			} else if (w.view.state === "paused") {
				trace.push(`unstall e${slot}`);
				w.view.resume();
			} else {
				trace.push("turn");
				await clock.advance(0);
			}
		}

		// Heal: every stalled engine goes on, every crashed one restarts; then time runs until all finish.
		trace.push("heal");
		for (let slot = 0; slot < engines; slot++) {
			const w = workers[slot] as { view: FaultyView; engine: Engine };
			if (w.view.state === "paused") w.view.resume();
			if (w.view.state === "crashed") await startWorker(slot);
		}
		const binding = (workers[0] as { engine: Engine }).engine.workflow(workflow);
		const pending = async () => {
			const statuses = await Promise.all(params.map(async (_, i) => (await (await binding.get(`i${i}`)).status()).status));
			return statuses.filter((s) => s !== "complete");
		};
		for (let round = 0; (await pending()).length > 0; round++) {
			if (round >= 300)
				fail(
					options.seed,
					trace,
					`instances did not finish after healing: ${JSON.stringify(await pending())}${engineErrors.length ? `; engine errors: ${engineErrors.join("; ")}` : ""}`,
				);
			await clock.advance(1_000);
		}

		// The guarantees.
		let committed = 0;
		for (const [i, p] of params.entries()) {
			const id = `i${i}`;
			const status = await (await binding.get(id)).status();
			if (status.output !== expected(p)) fail(options.seed, trace, `${id} returned ${status.output}; its params determine ${expected(p)}`);
			const finals = new Map<string, unknown>();
			for (const r of await store.readJournal({ workflow, id })) {
				if (r.kind !== "attempt" || !r.key) continue;
				const e = v8Serializer.decode(r.data) as { final: boolean; ok: boolean; value?: unknown };
				if (!e.final) continue;
				if (finals.has(r.key)) fail(options.seed, trace, `${id}: the result of ${r.key} was committed twice`);
				finals.set(r.key, e.value);
			}
			committed += finals.size;
			for (let s = 0; s < STEPS; s++) {
				const seen = runs.get(`${id}/s${s}`) ?? [];
				if (seen.length === 0) fail(options.seed, trace, `${id}: the body of s${s} never ran`);
				const input = s === 0 ? p.n : finals.get(`do:s${s - 1}#1`);
				if (seen.some((x) => x !== input))
					fail(options.seed, trace, `${id}: a body of s${s} saw ${JSON.stringify(seen)}, the committed result before it is ${input}`);
			}
		}
		if (engineErrors.length) fail(options.seed, trace, `the engine reported: ${engineErrors.join("; ")}`);
		const bodyRuns = [...runs.values()].reduce((n, xs) => n + xs.length, 0);
		return { seed: options.seed, trace, bodyRuns, steps: count * STEPS, committed };
	} finally {
		for (const w of workers) {
			w.view.state = "crashed";
			void w.engine.close({ graceMs: 0 });
		}
		await store.close();
	}
}

function fail(seed: number, trace: string[], why: string): never {
	throw new WeftError("testing.simulation_failed", `seed ${seed}: ${why}\n  after: ${trace.join(", ")}`);
}
