#!/usr/bin/env node
// npm run bench [-- --workload steps|latency|queue|concurrency|sleepers] [--scale 0.1]
// npm run bench -- --store postgres [--database postgres://…] [--workload steps|latency]
// Prints one JSON line per workload: the machine, versions, durability, the raw SQLite (or
// PostgreSQL) ceiling measured in the same run, and the workload's figures. A benchmark, not a
// test: nothing here asserts a speed.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { createEngine, Engine, replayHistory, SqliteStore, v8Serializer } from "weft";
import { measureCeiling } from "./ceiling.mjs";
import { creator, DEFAULT_POSTGRES_URL, finished, measurePostgresCeiling, scratchSchema, serverFacts, startWorkers } from "./postgres.mjs";
import { OneStep, percentile, round, Sleeper, SlowStep, ThreeSteps } from "./workloads.mjs";

const { values } = parseArgs({
	options: {
		workload: { type: "string", multiple: true },
		scale: { type: "string", default: "1" },
		synchronous: { type: "string", default: "FULL" },
		dir: { type: "string" },
		store: { type: "string", default: "sqlite" },
		database: { type: "string" },
	},
});
if (values.store !== "sqlite" && values.store !== "postgres") throw new Error(`--store ${values.store}: sqlite or postgres`);
const postgresUrl = values.database ?? DEFAULT_POSTGRES_URL;
const scale = Number(values.scale);
const sized = (n) => Math.max(1, Math.round(n * scale));
const synchronous = values.synchronous;
const baseDir = values.dir ?? join(process.cwd(), ".bench");

function scratch() {
	if (!existsSync(baseDir)) rmSync(baseDir, { force: true });
	const dir = mkdtempSync(`${baseDir}-`);
	return { dir, database: join(dir, "bench.db"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A second, read-only connection for watching progress without touching the engine. `finished`
 * asks whether any instance is still unfinished: three index seeks, where counting the finished
 * ones would scan an index that grows with the run and steal the engine's CPU.
 */
function progress(database) {
	const db = new Database(database, { readonly: true });
	const count = db.prepare("SELECT count(*) AS n FROM instances WHERE status = ?");
	const unfinished = db.prepare(
		"SELECT EXISTS (SELECT 1 FROM instances WHERE workflow = ? AND status IN ('queued', 'running', 'waiting', 'waitingForPause', 'paused')) AS left",
	);
	return { count: (status) => count.get(status).n, finished: (workflow) => unfinished.get(workflow).left === 0, db, close: () => db.close() };
}

async function until(fn, { everyMs = 20, timeoutMs = 600_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	while (!fn()) {
		if (Date.now() > deadline) throw new Error("benchmark workload did not finish in time");
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

async function untilAsync(fn, { everyMs = 20, timeoutMs = 600_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	while (!(await fn())) {
		if (Date.now() > deadline) throw new Error("benchmark workload did not finish in time");
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

async function createAll(binding, n, paramsOf = () => ({}), inFlight = 20) {
	let next = 0;
	const lanes = Array.from({ length: inFlight }, async () => {
		while (next < n) {
			const size = Math.min(100, n - next);
			const start = next;
			next += size;
			await binding.createBatch({ instances: Array.from({ length: size }, (_, i) => ({ params: paramsOf(start + i) })) });
		}
	});
	await Promise.all(lanes);
}

/**
 * Runs a few hundred instances through a throwaway engine first, so the measured run sees
 * JIT-compiled code, as a server that has been up for more than a second does.
 */
async function warmUp(n = 1000) {
	const s = scratch();
	const engine = await createEngine({ database: s.database, synchronous, workflows: { THREE: ThreeSteps }, onError: console.error });
	const p = progress(s.database);
	try {
		await createAll(engine.bindings.THREE, n);
		await until(() => p.finished("THREE"), { everyMs: 5 });
		return n;
	} finally {
		p.close();
		await engine.close();
		s.done();
	}
}

const workloads = {
	async steps() {
		const n = sized(2000);
		const warmup = await warmUp();
		const s = scratch();
		const engine = await createEngine({ database: s.database, synchronous, workflows: { THREE: ThreeSteps }, onError: console.error });
		const p = progress(s.database);
		try {
			const t0 = performance.now();
			await createAll(engine.bindings.THREE, n);
			const created = performance.now();
			await until(() => p.finished("THREE"), { everyMs: 5 });
			const seconds = (performance.now() - t0) / 1000;
			const latencies = p.db
				.prepare("SELECT ended_at - created_at AS ms FROM instances")
				.all()
				.map((r) => r.ms)
				.sort((a, b) => a - b);
			const store = engine.store;
			return {
				instances: n,
				warmup_instances: warmup,
				steps_per_s: Math.round((3 * n) / seconds),
				instances_per_s: Math.round(n / seconds),
				create_ms: round(created - t0),
				instance_latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
				commits: store.writes.batches,
				writes_per_commit: round(store.writes.writes / store.writes.batches),
			};
		} finally {
			p.close();
			await engine.close();
			s.done();
		}
	},

	async latency() {
		const n = sized(300);
		await warmUp();
		const s = scratch();
		const engine = await createEngine({ database: s.database, synchronous, workflows: { THREE: ThreeSteps }, onError: console.error });
		try {
			const times = [];
			for (let i = 0; i < n; i++) {
				const t0 = performance.now();
				const instance = await engine.bindings.THREE.create();
				while ((await instance.status()).status !== "complete") await new Promise((r) => setImmediate(r));
				times.push(performance.now() - t0);
			}
			times.sort((a, b) => a - b);
			return { instances: n, create_to_complete_ms: { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2) } };
		} finally {
			await engine.close();
			s.done();
		}
	},

	async queue() {
		const n = sized(2_000_000);
		const s = scratch();
		// An engine that is never started: bindings work, nothing is claimed.
		const idle = new Engine({ store: new SqliteStore({ path: s.database, synchronous }), workflows: { ONE: OneStep } });
		try {
			const t0 = performance.now();
			await createAll(idle.bindings.ONE, n, () => undefined, 50);
			const createSeconds = (performance.now() - t0) / 1000;
			await idle.close();
			const checkpoint = new Database(s.database);
			checkpoint.pragma("wal_checkpoint(TRUNCATE)");
			checkpoint.close();
			const bytes = statSync(s.database).size;
			const engine = await createEngine({ database: s.database, synchronous, workflows: { ONE: OneStep }, onError: console.error });
			const p = progress(s.database);
			const t1 = performance.now();
			await until(() => p.finished("ONE"), { everyMs: 200 });
			const drainSeconds = (performance.now() - t1) / 1000;
			p.close();
			await engine.close();
			return {
				instances: n,
				created_per_s: Math.round(n / createSeconds),
				bytes_per_instance: Math.round(bytes / n),
				drained_per_s: Math.round(n / drainSeconds),
			};
		} finally {
			s.done();
		}
	},

	async concurrency() {
		const n = sized(50_000);
		const s = scratch();
		const engine = await createEngine({ database: s.database, synchronous, maxActivations: n + 1000, workflows: { SLOW: SlowStep }, onError: console.error });
		const p = progress(s.database);
		let peakRunning = 0;
		let peakRss = 0;
		const sampler = setInterval(() => {
			peakRunning = Math.max(peakRunning, engine.activeCount);
			peakRss = Math.max(peakRss, process.memoryUsage.rss());
		}, 100);
		try {
			const t0 = performance.now();
			await createAll(engine.bindings.SLOW, n, () => ({ waitMs: 5000 }));
			await until(() => p.finished("SLOW"), { everyMs: 200 });
			return {
				instances: n,
				peak_running: peakRunning,
				peak_rss_mib: Math.round(peakRss / 2 ** 20),
				all_complete: p.count("complete") === n,
				seconds: round((performance.now() - t0) / 1000),
			};
		} finally {
			clearInterval(sampler);
			p.close();
			await engine.close();
			s.done();
		}
	},

	async replay() {
		const n = sized(2000);
		const s = scratch();
		const engine = await createEngine({ database: s.database, synchronous, workflows: { THREE: ThreeSteps }, onError: console.error });
		const p = progress(s.database);
		try {
			await createAll(engine.bindings.THREE, n);
			await until(() => p.finished("THREE"), { everyMs: 5 });
			const ids = p.db.prepare("SELECT id FROM instances").pluck().all();
			const histories = [];
			for (const id of ids) histories.push(JSON.parse(JSON.stringify(await engine.exportHistory({ workflow: "THREE", id }))));
			const entries = histories.reduce((sum, h) => sum + h.entries.length, 0);
			// One pass to warm the JIT, as a replay gate over thousands of histories is, then the measured one.
			for (const h of histories) await replayHistory(ThreeSteps, h);
			const t0 = performance.now();
			let diverged = 0;
			for (const h of histories) if ((await replayHistory(ThreeSteps, h)).divergence) diverged++;
			const seconds = (performance.now() - t0) / 1000;
			return { histories: n, journal_entries: entries, entries_per_s: Math.round(entries / seconds), histories_per_s: Math.round(n / seconds), diverged };
		} finally {
			p.close();
			await engine.close();
			s.done();
		}
	},

	async sleepers() {
		const n = sized(100_000);
		const sleepMs = 30_000;
		const s = scratch();
		const engine = await createEngine({ database: s.database, synchronous, workflows: { SLEEPER: Sleeper }, onError: console.error });
		const p = progress(s.database);
		let sleepingRss = 0;
		try {
			await createAll(engine.bindings.SLEEPER, n, () => ({ sleepMs }));
			await until(() => p.count("waiting") === n || p.count("complete") > 0, { everyMs: 500 });
			sleepingRss = process.memoryUsage.rss();
			await until(() => p.finished("SLEEPER"), { everyMs: 200 });
			const late = p.db
				.prepare("SELECT output FROM instances")
				.all()
				.map((r) => v8Serializer.decode(r.output))
				.sort((a, b) => a - b);
			const wakes = p.db.prepare("SELECT count(*) AS n FROM journal WHERE key = 'do:after#1'").get().n;
			return {
				instances: n,
				sleep_ms: sleepMs,
				rss_while_sleeping_mib: Math.round(sleepingRss / 2 ** 20),
				lateness_ms: { p50: percentile(late, 50), p99: percentile(late, 99) },
				woke_exactly_once: wakes === n,
			};
		} finally {
			p.close();
			await engine.close();
			s.done();
		}
	},
};

/**
 * The same workloads on PostgreSQL, each on a fresh schema dropped afterwards. Instances are
 * created by this process through an engine that is never started (a client); the work is done
 * by worker processes (bench/pg-worker.mjs, what `weft worker` runs), 1 and then 2 of them.
 */
const postgresWorkloads = {
	async steps() {
		// 10,000 rather than SQLite's 2,000: at this speed 2,000 instances take under a second and
		// the figure would mostly measure the ramp-up.
		const n = sized(10_000);
		const warmup = 1000;
		const runs = [];
		for (const processes of [1, 2]) {
			const s = await scratchSchema(postgresUrl);
			const workers = await startWorkers(postgresUrl, s.schema, processes);
			try {
				const client = creator(s.store);
				// Warms the workers' JIT, as a worker that has been up for more than a second is.
				await createAll(client.bindings.THREE, warmup);
				await untilAsync(() => finished(s.store, "THREE"));
				const t0 = performance.now();
				await createAll(client.bindings.THREE, n);
				const created = performance.now();
				await untilAsync(() => finished(s.store, "THREE"), { everyMs: 10 });
				const seconds = (performance.now() - t0) / 1000;
				const { rows } = await s.store.pool.query(`SELECT ended_at - created_at AS ms FROM "${s.schema}".instances ORDER BY iid OFFSET $1`, [warmup]);
				const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
				const stats = (await workers.stop()).filter(Boolean);
				const commits = stats.reduce((sum, x) => sum + x.commits, 0);
				runs.push({
					worker_processes: processes,
					steps_per_s: Math.round((3 * n) / seconds),
					instances_per_s: Math.round(n / seconds),
					create_ms: round(created - t0),
					instance_latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
					commits,
					writes_per_commit: round(stats.reduce((sum, x) => sum + x.writes, 0) / commits),
					stale_writes_rejected: stats.reduce((sum, x) => sum + x.stale_writes_rejected, 0),
				});
			} finally {
				workers.kill();
				await s.drop();
			}
		}
		return {
			instances: n,
			warmup_instances: warmup,
			steps_per_s_1_worker: runs[0].steps_per_s,
			steps_per_s_2_workers: runs[1].steps_per_s,
			runs,
		};
	},

	async latency() {
		const n = sized(300);
		const measure = async (binding) => {
			const times = [];
			for (let i = 0; i < n + 50; i++) {
				const t0 = performance.now();
				const instance = await binding.create();
				while ((await instance.status()).status !== "complete") await new Promise((r) => setImmediate(r));
				if (i >= 50) times.push(performance.now() - t0); // the first 50 warm up
			}
			times.sort((a, b) => a - b);
			return { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2) };
		};
		// An engine in this process (as `weft start` runs one): it wakes itself on create.
		const s = await scratchSchema(postgresUrl);
		let inProcess;
		try {
			const engine = new Engine({ store: s.store, workflows: { THREE: ThreeSteps }, onError: console.error });
			await engine.start();
			inProcess = await measure(engine.bindings.THREE);
			await engine.close();
		} finally {
			await s.drop();
		}
		// Created here, run by a worker process that LISTENs: the wake-up crosses NOTIFY.
		const t = await scratchSchema(postgresUrl);
		const workers = await startWorkers(postgresUrl, t.schema, 1);
		let viaWorker;
		try {
			viaWorker = await measure(creator(t.store).bindings.THREE);
			await workers.stop();
		} finally {
			workers.kill();
			await t.drop();
		}
		return { instances: n, create_to_complete_ms: inProcess, create_to_complete_ms_via_worker: viaWorker };
	},
};

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, mem_gib: Math.round(totalmem() / 2 ** 30) };

/** The store's workloads, and the facts about the store every result line carries. */
async function storeUnderTest() {
	if (values.store === "sqlite") {
		const sqlite = new Database(":memory:").prepare("select sqlite_version() v").get().v;
		const facts = {
			versions: { node: process.versions.node, sqlite },
			durability: { store: "sqlite", journal_mode: "WAL", synchronous },
			ceiling_commits_per_s: measureCeiling(process.cwd()),
		};
		return { table: workloads, facts, unknown: (name) => `unknown workload ${name}` };
	}
	const server = await serverFacts(postgresUrl);
	const facts = {
		versions: { node: process.versions.node, postgres: server.version },
		durability: server.durability,
		database: postgresUrl.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@"),
		ceiling_commits_per_s: await measurePostgresCeiling(postgresUrl),
		note:
			server.durability.autovacuum === "off"
				? "this server runs with autovacuum off (the store VACUUMs the instances table itself every 60 s); single-row ceiling on one connection"
				: "single-row ceiling on one connection",
	};
	return { table: postgresWorkloads, facts, unknown: (name) => `workload ${name} does not run on PostgreSQL yet` };
}

const { table, facts, unknown } = await storeUnderTest();
const chosen = values.workload ?? Object.keys(table);
for (const name of chosen) if (!table[name]) throw new Error(`${unknown(name)}; known: ${Object.keys(table).join(", ")}`);
for (const name of chosen) console.log(JSON.stringify({ workload: name, scale, machine, ...facts, ...(await table[name]()) }));
