import type pg from "pg";
import { quoteIdent } from "./instance-row.js";
import { MIGRATIONS } from "./migrations.js";

/**
 * Brings `schema` up to date in one transaction. A transaction-scoped advisory lock keyed by the
 * schema's name serialises processes that start at once: the second waits, then finds every
 * version recorded in `weft_migrations` and runs nothing. Returns the schema's version.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<number> {
	const s = quoteIdent(schema);
	const client = await pool.connect();
	try {
		await client.query("BEGIN");
		await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`weft.migrate:${schema}`]);
		await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
		await client.query(`CREATE TABLE IF NOT EXISTS ${s}.weft_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
		const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::integer AS version FROM ${s}.weft_migrations`);
		const applied = rows[0]?.version ?? 0;
		if (applied > MIGRATIONS.length)
			throw new Error(`schema ${schema} is at version ${applied}, newer than this Weft knows (${MIGRATIONS.length}); upgrade Weft before running it here`);
		await client.query(`SET LOCAL search_path TO ${s}`);
		for (let v = applied; v < MIGRATIONS.length; v++) {
			await client.query(MIGRATIONS[v] as string);
			await client.query(`INSERT INTO ${s}.weft_migrations (version) VALUES ($1)`, [v + 1]);
		}
		await client.query("COMMIT");
		client.release();
		return MIGRATIONS.length;
	} catch (e) {
		await client.query("ROLLBACK").catch(() => {});
		client.release(e instanceof Error ? e : true);
		throw e;
	}
}
