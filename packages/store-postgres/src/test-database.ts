// Test support: where the tests' PostgreSQL is, whether it answers, and stores on a fresh schema
// each (created by the store's migrations, dropped when the store closes) so tests never collide.
import assert from "node:assert/strict";
import { type JournalRecord, journalSeq, type Lease, type Store } from "@weft/core";
import pg from "pg";
import { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";

export const POSTGRES_URL = process.env.WEFT_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Null when PostgreSQL answers at `url` (default POSTGRES_URL), else why not. */
export async function probePostgres(url = POSTGRES_URL): Promise<string | null> {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	client.on("error", () => {});
	try {
		await client.connect();
		await client.query("SELECT 1");
		return null;
	} catch (e) {
		return e instanceof Error ? e.message || e.name : String(e);
	} finally {
		await client.end().catch(() => {});
	}
}

let n = 0;

/** A schema name no other test (in this or another process) uses. */
export function freshSchema(): string {
	return `weft_t${process.pid}_${n++}`;
}

/** Runs SQL on a connection of its own. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
	const client = new pg.Client({ connectionString: POSTGRES_URL });
	client.on("error", () => {});
	await client.connect();
	try {
		return (await client.query<R>(text, values)).rows;
	} finally {
		await client.end();
	}
}

/** A store on a fresh schema (or the one given); closing it drops the schema unless `keep`. */
export async function openStore(options: PostgresStoreOptions = {}, keep = false): Promise<PostgresStore> {
	const schema = options.schema ?? freshSchema();
	const store = await PostgresStore.open({ connectionString: POSTGRES_URL, poolSize: 3, ...options, schema });
	if (!keep) {
		const close = store.close.bind(store);
		store.close = async () => {
			await close();
			await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		};
	}
	return store;
}

/** Polls `check` until it holds; a failing test ends by the runner's timeout, not by an assertion on time. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
	const start = Date.now();
	while (!(await check())) {
		if (Date.now() - start > timeoutMs) throw new Error(`gave up waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

export const T0 = Date.UTC(2026, 0, 1);
export const LEASE_MS = 30_000;
export const bytes = (s: string) => new TextEncoder().encode(s);
export const recs = (lease: Lease, ...kinds: string[]): JournalRecord[] =>
	kinds.map((kind, i) => ({ seq: journalSeq(lease.epoch, i + 1), at: T0, kind, key: null, data: bytes(kind) }));
export const one = { workflow: "w", limit: 1 };

/** The database's clock, as the store reads it. */
export async function dbNow(): Promise<number> {
	const [row] = await sql<{ t: string }>("SELECT floor(extract(epoch from statement_timestamp()) * 1000)::bigint AS t");
	return Number(row?.t);
}

/** `n` stores on one fresh schema, each a pool of its own named <schema>_<i>; dropped afterwards. */
export async function withStores(n: number, fn: (...stores: PostgresStore[]) => Promise<void>, options: Parameters<typeof openStore>[0] = {}): Promise<void> {
	const schema = freshSchema();
	const stores: PostgresStore[] = [];
	try {
		for (let i = 0; i < n; i++) stores.push(await openStore({ ...options, schema, applicationName: `${schema}_${i}` }, true));
		await fn(...stores);
	} finally {
		for (const s of stores) await s.close();
		await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	}
}

export async function claimOne(s: Store, now: number) {
	const [c] = await s.claimActivations({ slots: [one], now, leaseMs: LEASE_MS });
	assert.ok(c, "an instance was claimed");
	return c;
}
