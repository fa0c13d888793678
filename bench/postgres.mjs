// The PostgreSQL side of the benchmark (npm run bench -- --store postgres [--database URL]):
// the raw single-row commit ceiling of this server, a fresh schema per run (dropped afterwards),
// worker processes (bench/pg-worker.mjs: an engine on the shared schema, no HTTP) and a watcher
// that creates instances through an engine that is never started, as a client would.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PostgresStore } from "@weft/store-postgres";
import pg from "pg";
import { Engine } from "weft";
import { ThreeSteps } from "./workloads.mjs";

export const DEFAULT_POSTGRES_URL = process.env.WEFT_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const WORKER = fileURLToPath(new URL("./pg-worker.mjs", import.meta.url));

let schemas = 0;

async function withClient(url, fn) {
	const client = new pg.Client({ connectionString: url });
	client.on("error", () => {});
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

/** The server's version and the settings that decide its commit speed. */
export function serverFacts(url) {
	return withClient(url, async (c) => {
		const setting = async (name) => (await c.query(`SELECT current_setting('${name}') AS v`)).rows[0].v;
		return {
			version: await setting("server_version"),
			durability: {
				store: "postgres",
				synchronous_commit: await setting("synchronous_commit"),
				fsync: await setting("fsync"),
				autovacuum: await setting("autovacuum"),
				max_connections: Number(await setting("max_connections")),
			},
		};
	});
}

/**
 * Raw PostgreSQL on this machine: single-row INSERT commits per second on one connection
 * (autocommit, the server's own durability settings), in a scratch schema dropped afterwards.
 */
export function measurePostgresCeiling(url, { durationMs = 1500 } = {}) {
	const schema = `weft_ceiling_${process.pid}`;
	return withClient(url, async (c) => {
		await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id bigserial PRIMARY KEY, v bytea)`);
		try {
			const value = Buffer.alloc(64);
			const started = performance.now();
			let n = 0;
			while (performance.now() - started < durationMs) {
				await c.query(`INSERT INTO ${schema}.t (v) VALUES ($1)`, [value]);
				n++;
			}
			return Math.round(n / ((performance.now() - started) / 1000));
		} finally {
			await c.query(`DROP SCHEMA ${schema} CASCADE`);
		}
	});
}

/** A fresh schema, migrated; `drop()` removes it. */
export async function scratchSchema(url) {
	const schema = `weft_bench_${process.pid}_${schemas++}`;
	const store = await PostgresStore.open({ connectionString: url, schema, poolSize: 3, sharedByWorkers: true, maintenanceMs: 0 });
	return {
		schema,
		store,
		async drop() {
			await store.close();
			await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
		},
	};
}

/** Starts `n` worker processes on the schema; resolves once each is claiming. */
export async function startWorkers(url, schema, n, { poolSize = 6 } = {}) {
	const workers = await Promise.all(
		Array.from({ length: n }, async () => {
			const child = fork(WORKER, [url, schema, String(poolSize)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
			await new Promise((resolve, reject) => {
				child.once("message", (m) => (m?.type === "ready" ? resolve() : reject(new Error(String(m?.message)))));
				child.once("exit", (code) => reject(new Error(`bench worker exited (${code}) before it was ready`)));
			});
			return child;
		}),
	);
	return {
		/** Stops every worker; resolves with their stores' counters. */
		async stop() {
			return Promise.all(
				workers.map(
					(child) =>
						new Promise((resolve) => {
							child.once("message", (m) => resolve(m?.stats ?? null));
							child.once("exit", () => resolve(null));
							child.send({ type: "stop" });
						}),
				),
			);
		},
		kill() {
			for (const child of workers) if (child.exitCode === null) child.kill("SIGKILL");
		},
	};
}

/** A client of the schema: an engine that is never started creates instances and claims none. */
export function creator(store) {
	return new Engine({ store, workflows: { THREE: ThreeSteps } });
}

/** Whether every instance of `workflow` has ended (one index probe, cheap to repeat). */
export async function finished(store, workflow) {
	const { rows } = await store.pool.query(
		`SELECT NOT EXISTS (SELECT 1 FROM "${store.schema}".instances WHERE workflow = $1 AND status IN ('queued', 'running', 'waiting', 'waitingForPause', 'paused')) AS done`,
		[workflow],
	);
	return rows[0].done;
}
