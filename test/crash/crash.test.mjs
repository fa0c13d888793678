// Crash safety against a real process kill. A child process (crash-worker.mjs) runs 200
// instances of a 5-step chained workflow on a SQLite file; the test SIGKILLs it mid-run, starts
// another child on the same file, kills that one too (twice more), and lets a last child run
// every instance to completion. Then it checks, from the final state and from the log the step
// bodies appended as they ran:
//   - every instance is complete, none is lost;
//   - no step body started after its step had been committed (each body checks this itself);
//   - each step's input is the previous step's committed output (a checksum chain);
//   - every committed output came from a logged body execution, each step body ran at least
//     once, and a body ran again only after a killed process had run it without committing.
// Run once as is and once with WEFT_ALWAYS_REPLAY=1 (every step replayed from the database).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import test from "node:test";
import { fileURLToPath } from "node:url";
import { chain, instanceIds, seedOf } from "./crash-worker.mjs";

const WORKER = fileURLToPath(new URL("./crash-worker.mjs", import.meta.url));
const INSTANCES = 200;
const STEPS = 5;
const TOTAL_STEPS = INSTANCES * STEPS;
const CONCURRENCY = 16;
/** The most one phase (one child's life) may take before the test gives up on it. */
const PHASE_TIMEOUT_MS = 25_000;

/** When each child is killed, from what it printed; the last child runs to the end. */
const KILLS = [
	{
		what: "instances created and 20% of all steps committed",
		flags: ["--create"],
		ready: (child, progress) => child.created && progress.committed.size >= TOTAL_STEPS * 0.2,
	},
	{
		what: "35% of the remaining steps newly committed",
		flags: [],
		ready: (child) => child.newCommits >= Math.max(1, Math.floor((TOTAL_STEPS - child.committedAtStart) * 0.35)),
	},
	{
		// Early in recovery, with many bodies in flight.
		what: "20 step bodies started",
		flags: [],
		ready: (child) => child.started >= 20,
	},
];

const tail = (text, n = 2000) => (text.length > n ? `…${text.slice(-n)}` : text);

/** Spawns a worker and follows its stdout; `until()` waits for a condition with a timeout. */
function startChild(label, dir, flags, replay, progress) {
	const env = { ...process.env, WEFT_ALWAYS_REPLAY: replay ? "1" : "0" };
	delete env.NODE_TEST_CONTEXT;
	const proc = spawn(
		process.execPath,
		[WORKER, "--dir", dir, "--instances", String(INSTANCES), "--steps", String(STEPS), "--concurrency", String(CONCURRENCY), ...flags],
		{ env, stdio: ["ignore", "pipe", "pipe"] },
	);
	const child = {
		label,
		proc,
		pid: proc.pid,
		committedAtStart: progress.committed.size,
		created: false,
		started: 0,
		newCommits: 0,
		replayed: 0,
		done: null,
		statuses: null,
		stdoutOther: [],
		stderr: "",
		exited: false,
		code: null,
		signal: null,
		spawnError: null,
	};
	const listeners = new Set();
	const notify = () => {
		for (const l of [...listeners]) l();
	};
	createInterface({ input: proc.stdout }).on("line", (line) => {
		const [kind, a, b] = line.split(" ");
		if (kind === "C") {
			progress.cLines++;
			const key = `${a}#${b}`;
			if (progress.committed.has(key)) child.replayed++;
			else {
				progress.committed.add(key);
				child.newCommits++;
			}
		} else if (kind === "S") child.started++;
		else if (kind === "created") child.created = true;
		else if (kind === "done") child.done = a;
		else if (kind === "statuses") child.statuses = a;
		else child.stdoutOther.push(line);
		notify();
	});
	proc.stderr.setEncoding("utf8").on("data", (d) => {
		child.stderr += d;
	});
	proc.on("error", (e) => {
		child.spawnError = e;
	});
	child.closed = new Promise((resolve) => {
		proc.on("close", (code, signal) => {
			Object.assign(child, { exited: true, code, signal });
			notify();
			resolve();
		});
	});
	child.describe = () =>
		`${label} (pid ${child.pid}): started ${child.started} bodies, ${child.newCommits} new commits, ${child.replayed} replayed; ` +
		`${progress.committed.size}/${TOTAL_STEPS} steps committed so far` +
		(child.statuses ? `; instances by status: ${child.statuses}` : "") +
		(child.exited ? `; exited with code ${child.code}, signal ${child.signal}` : "") +
		(child.spawnError ? `; spawn error ${child.spawnError.message}` : "") +
		(child.stdoutOther.length ? `\n  other stdout: ${tail(child.stdoutOther.join("\n  "))}` : "") +
		(child.stderr ? `\n  stderr: ${tail(child.stderr)}` : "");
	child.until = (what, predicate, timeoutMs = PHASE_TIMEOUT_MS) =>
		new Promise((resolve, reject) => {
			const cleanup = () => {
				clearTimeout(timer);
				listeners.delete(check);
			};
			const check = () => {
				if (predicate()) {
					cleanup();
					resolve();
				} else if (child.exited) {
					cleanup();
					reject(new Error(`${label} ended before ${what}: ${child.describe()}`));
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`${label}: no ${what} within ${timeoutMs} ms: ${child.describe()}`));
			}, timeoutMs);
			listeners.add(check);
			check();
		});
	child.kill = async () => {
		if (!child.exited) proc.kill("SIGKILL");
		await child.closed;
	};
	return child;
}

function readBodyLog(file) {
	assert.ok(existsSync(file), `no step body ever ran: ${file} is missing`);
	const lines = readFileSync(file, "utf8").split("\n");
	assert.equal(lines.pop(), "", "the body log ends with a partial line");
	return lines.map((line, i) => {
		try {
			return JSON.parse(line);
		} catch {
			throw new assert.AssertionError({ message: `body log line ${i + 1} is not JSON: ${line}` });
		}
	});
}

async function crashAndRecover(t, replay) {
	const began = Date.now();
	const dir = mkdtempSync(join(tmpdir(), "weft-crash-"));
	const progress = { committed: new Set(), cLines: 0 };
	const children = [];
	t.after(async () => {
		for (const c of children) await c.kill();
		if (process.env.WEFT_CRASH_KEEP === "1") t.diagnostic(`kept ${dir}`);
		else rmSync(dir, { recursive: true, force: true });
	});

	// ── the kills ──────────────────────────────────────────────────────────────────────────
	for (const [i, kill] of KILLS.entries()) {
		const child = startChild(`child ${i + 1} (killed once ${kill.what})`, dir, kill.flags, replay, progress);
		children.push(child);
		await child.until(kill.what, () => kill.ready(child, progress));
		await child.kill();
		assert.equal(child.signal, "SIGKILL", `${child.label} was not killed by SIGKILL: ${child.describe()}`);
	}

	// ── the run to completion ──────────────────────────────────────────────────────────────
	const last = startChild(`child ${KILLS.length + 1} (runs to completion)`, dir, ["--final"], replay, progress);
	children.push(last);
	await last.until("completion of every instance", () => last.done !== null && last.exited);
	assert.equal(last.code, 0, `the final child failed: ${last.describe()}`);
	const summary = JSON.parse(readFileSync(last.done, "utf8"));
	const ranMs = Date.now() - began;

	// ── checks ─────────────────────────────────────────────────────────────────────────────
	assert.equal(summary.alwaysReplay, replay, "the children did not run in the intended replay mode");
	for (const c of children) assert.doesNotMatch(c.stderr, /ENGINE_ERROR/, `the engine reported an error: ${c.describe()}`);

	// Every instance exists and is complete.
	const ids = instanceIds(INSTANCES);
	const byId = new Map(summary.instances.map((s) => [s.id, s]));
	const notComplete = ids.filter((id) => byId.get(id)?.status !== "complete");
	assert.deepEqual(
		notComplete.map((id) => ({ id, status: byId.get(id)?.status ?? "absent", error: byId.get(id)?.error })).slice(0, 10),
		[],
		`${notComplete.length} of ${INSTANCES} instances are not complete`,
	);

	// No step body started after its step was committed.
	const log = readBodyLog(join(dir, "bodies.log"));
	const violations = log.filter((r) => r.t === "violation");
	assert.deepEqual(violations.slice(0, 5), [], `${violations.length} step bodies ran although their step was already committed`);

	// The committed timeline and the chain of outputs.
	for (const id of ids) {
		const inst = byId.get(id);
		assert.deepEqual(inst.params, { seed: seedOf(id) }, `${id}: params changed`);
		assert.deepEqual(
			inst.steps.map((s) => [s.type, s.name, s.count, s.success, s.attempts]),
			Array.from({ length: STEPS }, (_, i) => ["step", `s${i + 1}`, 1, true, 1]),
			`${id}: the timeline is not ${STEPS} steps, each committed once with one successful attempt`,
		);
		let previous = { k: 0, nonce: null, checksum: seedOf(id) };
		for (const [i, { output }] of inst.steps.entries()) {
			const k = i + 1;
			assert.equal(output.k, k, `${id} s${k}: output of the wrong step`);
			assert.deepEqual(output.input, previous, `${id} s${k}: its input is not s${k - 1}'s committed output`);
			assert.equal(output.checksum, chain(id, k, previous.checksum, output.nonce), `${id} s${k}: the checksum does not follow from its input`);
			previous = { k, nonce: output.nonce, checksum: output.checksum };
		}
		assert.deepEqual(
			inst.output,
			{ id, checksum: previous.checksum, outputs: inst.steps.map((s) => s.output) },
			`${id}: what the workflow code saw differs from the committed step outputs`,
		);
	}

	// Body executions: at least one per step, the committed one among them, and any other one
	// in a process that was killed, at most one per process.
	const killed = new Set(children.slice(0, KILLS.length).map((c) => c.pid));
	const starts = new Map();
	const ends = new Set();
	const runs = new Map();
	for (const r of log) {
		if (r.t === "start") {
			const key = `${r.id}#${r.step}`;
			if (!starts.has(key)) starts.set(key, []);
			starts.get(key).push(r);
		} else if (r.t === "end") ends.add(r.nonce);
		else if (r.t === "run") runs.set(`${r.pid}|${r.id}`, (runs.get(`${r.pid}|${r.id}`) ?? 0) + 1);
	}
	let rerun = 0;
	let rerunAfterEnd = 0;
	let extraExecutions = 0;
	let maxExecutions = 0;
	const bodiesPerLife = new Map();
	for (const id of ids) {
		for (const s of byId.get(id).steps) {
			const key = `${id}#${s.name}`;
			const execs = starts.get(key) ?? [];
			assert.ok(execs.length >= 1, `${key}: committed, but its body never ran`);
			const committed = execs.filter((e) => e.nonce === s.output.nonce);
			assert.equal(committed.length, 1, `${key}: the committed output (nonce ${s.output.nonce}) is not from exactly one logged body execution`);
			assert.ok(ends.has(s.output.nonce), `${key}: the committed execution never reached its end`);
			const pids = execs.map((e) => e.pid);
			assert.equal(new Set(pids).size, pids.length, `${key}: its body ran more than once in one process (pids ${pids.join(", ")})`);
			for (const e of execs) {
				bodiesPerLife.set(`${e.pid}|${id}`, (bodiesPerLife.get(`${e.pid}|${id}`) ?? 0) + 1);
				if (e.nonce === s.output.nonce) continue;
				assert.ok(killed.has(e.pid), `${key}: an uncommitted execution (nonce ${e.nonce}) ran in pid ${e.pid}, which was not killed`);
				extraExecutions++;
				if (ends.has(e.nonce)) rerunAfterEnd++;
			}
			if (execs.length > 1) rerun++;
			maxExecutions = Math.max(maxExecutions, execs.length);
		}
	}
	const allStarts = log.filter((r) => r.t === "start").length;
	assert.equal(allStarts, TOTAL_STEPS + extraExecutions, "body executions of steps that are not in any timeline");

	// Each kill left work undone: every later child ran step bodies of its own.
	for (const c of children.slice(1)) {
		assert.ok(
			log.some((r) => r.t === "start" && r.pid === c.pid),
			`${c.label} ran no step body, so the kill before it did not interrupt a run`,
		);
	}

	// The replay mode really differs: with it, every body runs in an activation of its own.
	let lifeWithSeveralBodies = false;
	for (const [life, bodies] of bodiesPerLife) {
		const activations = runs.get(life) ?? 0;
		if (replay) assert.ok(bodies <= activations, `${life}: ${bodies} bodies ran in ${activations} activations although every step should replay`);
		if (bodies > 1 && (replay ? activations > 1 : activations === 1)) lifeWithSeveralBodies = true;
	}
	assert.ok(lifeWithSeveralBodies, replay ? "no instance was replayed between steps" : "no instance ran several steps in one activation");

	t.diagnostic(`mode: ${replay ? "WEFT_ALWAYS_REPLAY=1" : "default"}; ${INSTANCES} instances × ${STEPS} steps; ${KILLS.length} SIGKILLs; ${ranMs} ms`);
	for (const c of children)
		t.diagnostic(
			`  pid ${c.pid}: ${c.started} bodies started, ${c.newCommits} new commits seen, ${c.replayed} replayed results${c.signal ? " (SIGKILL)" : ""}`,
		);
	t.diagnostic(
		`body executions: ${allStarts} for ${TOTAL_STEPS} steps; ${rerun} steps ran more than once (at most ${maxExecutions} times), ` +
			`${extraExecutions} uncommitted executions in killed processes, ${rerunAfterEnd} of them killed between body end and commit`,
	);
}

test("crash safety: SIGKILL mid-run three times, then recovery to completion", { timeout: 120_000 }, (t) => crashAndRecover(t, false));

test("crash safety with WEFT_ALWAYS_REPLAY=1", { timeout: 120_000 }, (t) => crashAndRecover(t, true));
