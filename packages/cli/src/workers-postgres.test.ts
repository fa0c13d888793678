// `weft worker` processes sharing one PostgreSQL database, run as a user runs them
// (node dist/bin.js worker …): three workers share 2,000 three-step instances; one is SIGKILLed
// mid-run and another SIGSTOPped for three lease periods, then resumed. Every instance completes,
// every step has one committed attempt, a body runs again only where the kill or the stop cut it
// off, the stopped worker's late writes are refused (its own count, printed on shutdown), and its
// instances and the dead one's are taken over while it is stopped. Also `weft start` on
// PostgreSQL: API + engine, instances created over HTTP.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { WeftClient } from "@weft/client";
import { Engine } from "@weft/core";
import { PostgresStore } from "@weft/store-postgres";
import { killAll, startCli, waitForOutput } from "./cli-harness.js";
import {
	attemptCounts,
	cleanupFixtures,
	freshDatabase,
	makeWorkerProject,
	POSTGRES_URL,
	probePostgres,
	type Run,
	readRuns,
	runsByStep,
	Stub,
	sleep,
	until,
	workerSummary,
} from "./worker-fixture.js";

// Long enough that a worker starved of CPU for a second or two (CI runs other suites beside this one)
// still renews in time: a re-run here must come from the kill or the stop, not from load.
const LEASE_MS = 4000;
const POLL_MS = 250;

after(async () => {
	await killAll();
	await cleanupFixtures();
});

const makeProject = (database: string, extra: Record<string, unknown> = {}) => makeWorkerProject(database, { leaseMs: LEASE_MS, pollMs: POLL_MS, ...extra });

/** Per instance of `victim`'s (a body it started before `since`), when another process first started one of its bodies after `since`. */
function takeovers(runs: Run[], victim: number, since: number): number[] {
	const held = new Set(runs.filter((r) => r.pid === victim && r.at <= since).map((r) => r.id));
	const first = new Map<string, number>();
	for (const r of runs) if (held.has(r.id) && r.pid !== victim && r.at >= since && !(first.get(r.id)! <= r.at)) first.set(r.id, r.at);
	return [...first.values()].map((at) => at - since).sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const absent = await probePostgres();

if (absent !== null) {
	if (process.env.WEFT_REQUIRE_POSTGRES === "1")
		test("weft worker on PostgreSQL", () => assert.fail(`WEFT_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${POSTGRES_URL}: ${absent}`));
	else
		test("weft worker on PostgreSQL", (t) =>
			t.skip(
				`SKIPPED THE MULTI-PROCESS POSTGRESQL TESTS: no PostgreSQL at ${POSTGRES_URL} (${absent}); run scripts/start-postgres.sh, or set WEFT_REQUIRE_POSTGRES=1 to fail instead`,
			));
} else {
	test("three weft workers share 2,000 instances; one killed, one stopped past its lease: all complete, each step committed once", async (t) => {
		const N = 2000;
		const { schema, url } = freshDatabase();
		const { dir, runs: runsFile } = makeProject(url);
		const workers = [0, 1, 2].map(() => startCli(["worker"], { cwd: dir }));
		for (const w of workers) await waitForOutput(w, /Press Ctrl\+C to stop\./);
		const [killed, stopped, steady] = workers as [(typeof workers)[0], (typeof workers)[0], (typeof workers)[0]];

		// Instances are created by a client of the database: an engine that is never started.
		const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema, poolSize: 3, sharedByWorkers: true, maintenanceMs: 0 });
		const client = new Engine({ store, workflows: { MULTI: { name: "multi", class: Stub } } });
		const count = async (status: string) =>
			Number((await store.pool.query(`SELECT count(*)::int AS n FROM "${schema}".instances WHERE status = $1`, [status])).rows[0].n);
		try {
			const t0 = Date.now();
			for (let i = 0; i < N; i += 100)
				await client.bindings.MULTI.createBatch(Array.from({ length: 100 }, (_, j) => ({ id: `i${String(i + j).padStart(5, "0")}` })));

			// Mid-run: every worker has work in hand.
			await until(async () => (await count("complete")) >= N * 0.15, "15% of the instances to complete");
			const ran = new Set(readRuns(runsFile).map((r) => r.pid));
			for (const w of workers) assert.ok(ran.has(w.pid as number), `worker ${w.pid} ran steps before the kill`);
			const tKill = Date.now();
			killed.kill("SIGKILL");
			stopped.kill("SIGSTOP");
			const tStop = Date.now();
			const completeAtStop = await count("complete");
			await sleep(3 * LEASE_MS);
			const completeAtCont = await count("complete");
			const tCont = Date.now();
			stopped.kill("SIGCONT");

			await until(async () => (await count("complete")) === N, "every instance to complete");
			const seconds = (Date.now() - t0) / 1000;

			// Graceful shutdown prints each survivor's counters.
			stopped.kill("SIGTERM");
			steady.kill("SIGTERM");
			const [stoppedOut, steadyOut] = await Promise.all([stopped.exited, steady.exited]);
			const stale = (out: string) => workerSummary(out)?.staleWritesRejected ?? Number.NaN;
			assert.equal(stoppedOut.code, 0, stoppedOut.stderr);
			assert.equal(steadyOut.code, 0, steadyOut.stderr);
			assert.ok(stale(stoppedOut.stdout) > 0, `the stopped worker's late writes were refused:\n${stoppedOut.stdout}`);
			assert.equal(killed.signalCode, "SIGKILL");

			// The journal: one attempt per step, final and successful; each output is 3.
			const attempts = await attemptCounts(store.pool, schema);
			assert.equal(attempts.length, 3 * N, "every step of every instance has an attempt in the journal");
			assert.deepEqual(
				attempts.filter((a) => a.n !== 1),
				[],
				"each step's result is committed once",
			);
			const outputs = await Promise.all(["i00000", "i01000", `i${String(N - 1).padStart(5, "0")}`].map((id) => client.bindings.MULTI.get(id)));
			for (const o of outputs) assert.deepEqual(await o.status(), { status: "complete", output: 3 });

			// Step bodies: each ran once, unless the kill or the stop cut one of its runs off.
			const runs = readRuns(runsFile);
			const byStep = runsByStep(runs);
			assert.equal(byStep.size, 3 * N, "every step body ran");
			const interrupted = (r: Run) => (r.pid === killed.pid && r.at <= tKill) || r.pid === stopped.pid;
			const unexplained = [...byStep.entries()].filter(([, rs]) => rs.length > 1 && rs.filter(interrupted).length < rs.length - 1);
			assert.deepEqual(unexplained.slice(0, 5), [], "a step body ran again only after the kill or the stop cut a run of it off");
			const reruns = [...byStep.values()].filter((rs) => rs.length > 1).length;

			// Takeover: the killed worker's and the stopped worker's instances went on elsewhere while it was stopped.
			const ofKilled = takeovers(runs, killed.pid as number, tKill);
			const ofStopped = takeovers(runs, stopped.pid as number, tStop);
			const duringStop = ofStopped.filter((ms) => tStop + ms < tCont).length;
			assert.ok(ofKilled.length > 0, "another worker took over the killed worker's instances");
			assert.ok(duringStop > 0, "another worker took over the stopped worker's instances before it was resumed");
			assert.ok(completeAtCont > completeAtStop, "work went on while one worker was dead and one stopped");

			const summary = (xs: number[]) => (xs.length ? `n=${xs.length} min=${xs[0]} p50=${pct(xs, 50)} max=${xs.at(-1)} ms` : "none");
			t.diagnostic(`${N} instances × 3 steps over 3 workers in ${seconds.toFixed(1)} s; lease ${LEASE_MS} ms, poll ${POLL_MS} ms (±20%)`);
			t.diagnostic(`takeover after SIGKILL (kill → first body run elsewhere): ${summary(ofKilled)}`);
			t.diagnostic(
				`takeover after SIGSTOP (stop → first body run elsewhere): ${summary(ofStopped)}; ${duringStop} of ${ofStopped.length} before SIGCONT (${tCont - tStop} ms later)`,
			);
			// The first takeover is the detection time (lease expiry, then the next claim); later ones also
			// wait for the one surviving worker to free a slot (maxActivations 100, a deep queue).
			const first = Math.min(ofKilled[0] ?? Number.POSITIVE_INFINITY, ofStopped[0] ?? Number.POSITIVE_INFINITY);
			t.diagnostic(
				`first takeover ${first} ms after the kill/stop; bound: lease + one poll = ${LEASE_MS + POLL_MS * 1.2} ms (+ claim time); step bodies run again: ${reruns}; total body runs ${runs.length}`,
			);
			t.diagnostic(`stale writes rejected: stopped worker ${stale(stoppedOut.stdout)}, steady worker ${stale(steadyOut.stdout)}`);
		} finally {
			await store.close();
		}
	});

	test("weft start on PostgreSQL: the API creates instances and its engine runs them; a worker shares the work", async () => {
		const { url } = freshDatabase();
		const { dir, runs } = makeProject("./.weft/unused.db", { shutdownGraceMs: 200 });
		const server = startCli(["start", "--port", "0", "--database", url], { cwd: dir });
		const [, api] = await waitForOutput(server, /API +(http:\/\/127\.0\.0\.1:\d+)\/api\/workflows/);
		assert.match(server.output().stdout, new RegExp(`database  ${url.replace(/[.?*+^$()[\]{}|\\]/g, "\\$&")}`));
		const worker = startCli(["worker", "--database", url, "--lease-ms", "3000"], { cwd: dir });
		await waitForOutput(worker, /Press Ctrl\+C to stop\./);
		const client = new WeftClient({ url: api as string });
		const multi = client.workflow("multi");
		for (const from of [0, 100]) await multi.createBatch(Array.from({ length: 100 }, (_, i) => ({ id: `s${from + i}` })));
		await until(async () => (await multi.list({ status: "complete", limit: 1000 })).instances.length === 200, "200 instances to complete", 30_000);
		const pids = new Set(readRuns(runs).map((r) => r.pid));
		assert.ok(pids.has(server.pid as number) || pids.has(worker.pid as number));
		server.kill("SIGTERM");
		worker.kill("SIGTERM");
		assert.equal((await server.exited).code, 0);
		const w = await worker.exited;
		assert.equal(w.code, 0, w.stderr);
		assert.match(w.stdout, /weft: stopped · stale writes rejected 0 /);
	});

	test("weft worker refuses a SQLite database with a clear error", async () => {
		const { dir } = makeProject("./.weft/weft.db");
		const out = await startCli(["worker"], { cwd: dir }).exited;
		assert.equal(out.code, 1);
		assert.match(out.stderr, /\[config\.worker_needs_postgres\] weft worker shares its work with other processes through PostgreSQL/);
	});
}
