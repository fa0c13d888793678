// The shared Store: PostgreSQL through a pg.Pool. Claims are one SKIP LOCKED statement per call;
// every write made for an activation is conditional on its epoch; writes of one event-loop turn
// share one transaction; a NOTIFY tells idle workers when something became due. See
// docs/postgres.md for the schema, the queries and the clock modes.
import {
	type ActivationOutcome,
	type ChildNotice,
	type Claimed,
	type ClaimSlot,
	type ControlOutcome,
	type CreateOutcome,
	type EventRecord,
	type FinishCount,
	type InstanceKey,
	type InstanceRecord,
	type InstanceStatusName,
	instanceRecordOf,
	type JournalRecord,
	type Lease,
	LeaseLostError,
	type ListInstancesQuery,
	type ListPosition,
	type NewInstance,
	type NewJournalRecord,
	type QueueStats,
	type Store,
	type StoreObserver,
} from "@weft/core";
import pg from "pg";
import { claim, claimSql } from "./claim-query.js";
import { Creations, type FencedWrite, FencedWrites } from "./fenced-writes.js";
import { PgGroupCommit } from "./group-commit.js";
import { type InstanceRow, nowOr, pgTypes, quoteIdent, TERMINAL_SQL, toJournalRecord } from "./instance-row.js";
import { ManagementWrites } from "./management-writes.js";
import { migrate } from "./migrate.js";
import { WakeChannel, type WakeListener } from "./wake-channel.js";

export interface PostgresStoreOptions {
	/** e.g. postgres://postgres@127.0.0.1:5432/weft; without it, pg's PG* environment variables apply. */
	connectionString?: string;
	/** The schema holding Weft's tables (created if missing; default "weft"). */
	schema?: string;
	/**
	 * Whose clock decides due times, lease expiry and timestamps. "database" (default): the
	 * server's, so workers on many hosts agree whatever their clocks say; the `now` the engine
	 * passes is only used to turn its deadlines into delays. "caller": the `now` passed in, exactly
	 * (for tests with a manual clock, and the conformance suite, which asserts exact times).
	 */
	clock?: "database" | "caller";
	/** Connections in the pool (default 10): one for the group commit, the rest for claims, renewals and reads. */
	poolSize?: number;
	/** Shown in pg_stat_activity (default "weft"). */
	applicationName?: string;
	/** How long to wait for a connection before a call fails (default 10 s). */
	connectionTimeoutMs?: number;
	/**
	 * Several worker processes share this database: releaseAllLeases() then does nothing, since
	 * the leases it would release may be held by live workers (a dead worker's expire by
	 * themselves). Default false, the embedded contract of the Store port.
	 */
	sharedByWorkers?: boolean;
	/**
	 * Every this many ms, one process (under an advisory lock) runs VACUUM (ANALYZE) on the
	 * instances table and ANALYZE on the others. Default 60 s when the server runs with
	 * autovacuum off, else 0 (never); 0 disables it.
	 */
	maintenanceMs?: number;
	/** Errors nobody awaits: a lost idle connection, the LISTEN connection, maintenance. Default: ignored. */
	onError?: (error: unknown, context: string) => void;
}

const DEFAULT_MAINTENANCE_MS = 60_000;

export class PostgresStore implements Store {
	readonly pool: pg.Pool;
	readonly writes: PgGroupCommit;
	readonly schema: string;
	readonly clock: "database" | "caller";
	/** Writes refused because their lease was stale (appendJournal, completeActivation). */
	staleWritesRejected = 0;
	/** Connection errors reported by idle pool clients (each such client is discarded). */
	connectionErrors = 0;
	readonly #s: string;
	readonly #options: PostgresStoreOptions;
	readonly #onError: (error: unknown, context: string) => void;
	readonly #fenced: FencedWrites;
	readonly #creations: Creations;
	readonly #manage: ManagementWrites;
	readonly #wake: WakeChannel;
	readonly #claimSql: string;
	/** The database's clock minus the caller's, measured at the last claim (database clock only). */
	#skewMs = 0;
	#maintenance: NodeJS.Timeout | null = null;
	#closed = false;
	#observer: StoreObserver | undefined;

	/** Connects, brings the schema up to date, and returns the store. */
	static async open(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
		const store = new PostgresStore(options);
		try {
			await migrate(store.pool, store.schema);
			const { rows } = await store.pool.query<{ on: boolean }>("SELECT current_setting('autovacuum')::boolean AS on");
			const every = options.maintenanceMs ?? (rows[0]?.on ? 0 : DEFAULT_MAINTENANCE_MS);
			if (every > 0) {
				store.#maintenance = setInterval(() => void store.maintain().catch((e) => store.#onError(e, "maintenance")), every);
				store.#maintenance.unref();
			}
		} catch (e) {
			await store.close();
			throw e;
		}
		return store;
	}

	private constructor(options: PostgresStoreOptions) {
		this.#options = options;
		this.schema = options.schema ?? "weft";
		if (this.schema.length > 58) throw new TypeError(`schema name "${this.schema}" is too long: at most 58 characters`);
		this.#s = quoteIdent(this.schema);
		this.clock = options.clock ?? "database";
		this.#onError = options.onError ?? (() => {});
		const client: pg.ClientConfig = {
			application_name: options.applicationName ?? "weft",
			connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
			types: pgTypes,
		};
		if (options.connectionString !== undefined) client.connectionString = options.connectionString;
		this.pool = new pg.Pool({ ...client, max: Math.max(2, options.poolSize ?? 10), allowExitOnIdle: true });
		// An idle client that loses its connection is discarded by the pool, which then emits 'error';
		// a checked-out one emits on itself. Unhandled, either would crash the process.
		this.pool.on("error", (e) => {
			this.connectionErrors++;
			this.#onError(e, "idle database connection");
		});
		this.pool.on("connect", (c) => c.on("error", () => {}));
		const channel = `${this.schema}_wake`;
		this.writes = new PgGroupCommit(this.pool, channel);
		this.#wake = new WakeChannel(client, channel, (e) => this.#onError(e, "LISTEN connection"));
		this.#manage = new ManagementWrites(this.#s);
		this.#fenced = new FencedWrites(this.#s, (notice, now) => this.#manage.sendEvent(notice.parent, notice.type, notice.payload, now));
		this.#creations = new Creations(this.#s);
		this.#claimSql = claimSql(this.#s);
	}

	/** A read on its own connection, run again if that connection turns out to be dead. */
	#read<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
		return retryTransient(() => this.pool.query<R>(sql, values));
	}

	/** `now` as a statement parameter: the caller's, or null for the database's clock. */
	#now(now: number): number | null {
		return this.clock === "caller" ? now : null;
	}

	/**
	 * Calls `listener` when an instance becomes due now (created, sent an event, resumed,
	 * restarted, suspended with a signal pending, leases released), with its workflow's name,
	 * from any process using this schema; and with null after (re)connecting, when notifications
	 * may have been missed. Returns the function that removes the listener.
	 */
	onWake(listener: WakeListener): () => void {
		return this.#wake.add(listener);
	}

	/** Connections the LISTEN channel has made (1 + reconnects). */
	get wakeConnections(): number {
		return this.#wake.connections;
	}

	createInstances(items: NewInstance[], now: number): Promise<CreateOutcome[]> {
		if (items.length === 0) return Promise.resolve([]);
		return this.writes.enqueueCoalesced(this.#creations, { items, now: this.#now(now) });
	}

	async getInstance(key: InstanceKey): Promise<InstanceRecord | null> {
		const { rows } = await this.#read<InstanceRow>(`SELECT * FROM ${this.#s}.instances WHERE workflow = $1 AND id = $2`, [key.workflow, key.id]);
		return rows[0] ? instanceRecordOf(rows[0]) : null;
	}

	async readJournal(key: InstanceKey, afterSeq = 0): Promise<JournalRecord[]> {
		const { rows } = await this.#read<JournalRecord & { iid: number }>(
			`SELECT j.iid, j.seq, j.at, j.kind, j.key, j.data FROM ${this.#s}.instances i
			 JOIN ${this.#s}.journal j ON j.iid = i.iid AND j.generation = i.generation
			 WHERE i.workflow = $1 AND i.id = $2 AND j.seq > $3 ORDER BY j.seq`,
			[key.workflow, key.id, afterSeq],
		);
		return rows.map(toJournalRecord);
	}

	async listInstances(q: ListInstancesQuery): Promise<{ instances: InstanceRecord[]; next: ListPosition | null }> {
		const values: unknown[] = [q.workflow];
		const where = ["workflow = $1"];
		const param = (v: unknown) => `$${values.push(v)}`;
		if (q.status !== undefined) where.push(`status = ${param(q.status)}`);
		if (q.version !== undefined) where.push(`version = ${param(q.version)}`);
		if (q.createdFrom !== undefined) where.push(`created_at >= ${param(q.createdFrom)}`);
		if (q.createdBefore !== undefined) where.push(`created_at < ${param(q.createdBefore)}`);
		if (q.after) where.push(`(created_at, id) < (${param(q.after.createdAt)}::bigint, ${param(q.after.id)}::text)`);
		// Served backwards by (workflow, created_at, id) or (workflow, status, created_at, id): no OFFSET.
		const sql = `SELECT * FROM ${this.#s}.instances WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ${param(q.limit + 1)}`;
		const { rows } = await this.#read<InstanceRow>(sql, values);
		const page = rows.slice(0, q.limit);
		const last = page.at(-1);
		return { instances: page.map(instanceRecordOf), next: rows.length > q.limit && last ? { createdAt: last.created_at, id: last.id } : null };
	}

	deleteInstances(keys: InstanceKey[]): Promise<("ok" | "not_found")[]> {
		return this.writes.enqueue(async (tx) => {
			const { rows } = await tx.query<{ workflow: string; id: string }>(
				`WITH d AS (
					DELETE FROM ${this.#s}.instances i USING unnest($1::text[], $2::text[]) AS k(workflow, id)
					WHERE i.workflow = k.workflow AND i.id = k.id RETURNING i.iid, i.workflow, i.id
				 ),
				 j AS (DELETE FROM ${this.#s}.journal USING d WHERE journal.iid = d.iid),
				 e AS (DELETE FROM ${this.#s}.events USING d WHERE events.iid = d.iid)
				 SELECT workflow, id FROM d`,
				[keys.map((k) => k.workflow), keys.map((k) => k.id)],
			);
			const gone = new Set(rows.map((r) => `${r.workflow}\u0000${r.id}`));
			return keys.map((k) => (gone.has(`${k.workflow}\u0000${k.id}`) ? "ok" : "not_found"));
		});
	}

	purgeInstances(q: { workflow: string; statuses: InstanceStatusName[]; endedBefore: number; limit: number }): Promise<number> {
		return this.writes.enqueue(async (tx) => {
			const { rows } = await tx.query<{ n: number }>(
				`WITH d AS (
					DELETE FROM ${this.#s}.instances WHERE iid IN (
						SELECT iid FROM ${this.#s}.instances WHERE workflow = $1 AND status = ANY($2::text[]) AND ended_at < $3 LIMIT $4 FOR UPDATE SKIP LOCKED
					) RETURNING iid
				 ),
				 j AS (DELETE FROM ${this.#s}.journal USING d WHERE journal.iid = d.iid),
				 e AS (DELETE FROM ${this.#s}.events USING d WHERE events.iid = d.iid)
				 SELECT count(*)::int AS n FROM d`,
				[q.workflow, q.statuses, q.endedBefore, q.limit],
			);
			return rows[0]?.n ?? 0;
		});
	}

	async childrenOf(key: InstanceKey): Promise<InstanceKey[]> {
		const { rows } = await this.#read<InstanceKey>(
			`SELECT workflow, id FROM ${this.#s}.instances WHERE parent_workflow = $1 AND parent_id = $2 AND status NOT IN ${TERMINAL_SQL} ORDER BY iid`,
			[key.workflow, key.id],
		);
		return rows;
	}

	async countByStatus(): Promise<{ workflow: string; status: InstanceStatusName; count: number }[]> {
		const { rows } = await this.#read<{ workflow: string; status: InstanceStatusName; count: number }>(
			`SELECT workflow, status, count(*) AS count FROM ${this.#s}.instances GROUP BY workflow, status ORDER BY workflow, status`,
		);
		return rows;
	}

	async readEvents(key: InstanceKey): Promise<EventRecord[]> {
		const { rows } = await this.#read<EventRecord>(
			`SELECT e.seq, e.type, e.at, e.payload FROM ${this.#s}.instances i JOIN ${this.#s}.events e ON e.iid = i.iid
			 WHERE i.workflow = $1 AND i.id = $2 ORDER BY e.seq`,
			[key.workflow, key.id],
		);
		return rows;
	}

	async claimActivations({ slots, now, leaseMs }: { slots: ClaimSlot[]; now: number; leaseMs: number }): Promise<Claimed[]> {
		const open = slots.filter((s) => s.limit > 0);
		if (open.length === 0) return [];
		const { claimed, dbNow, takeovers } = await claim(this.pool, this.#s, this.#claimSql, { slots: open, now: this.#now(now), leaseMs });
		if (this.clock === "database") this.#skewMs = dbNow - now;
		if (takeovers > 0) this.#observer?.leaseTakeovers?.(takeovers);
		return claimed;
	}

	appendJournal(lease: Lease, records: JournalRecord[]): Promise<void> {
		return this.#fencedWrite({ lease, records, outcome: null, now: null, callerNow: 0 });
	}

	completeActivation(lease: Lease, records: JournalRecord[], outcome: ActivationOutcome, now: number): Promise<void> {
		return this.#fencedWrite({ lease, records, outcome, now: this.#now(now), callerNow: now });
	}

	#fencedWrite(w: FencedWrite): Promise<void> {
		return this.writes.enqueueCoalesced(this.#fenced, w).catch((e) => {
			if (e instanceof LeaseLostError) {
				this.staleWritesRejected++;
				this.#observer?.staleWriteRejected?.();
			}
			throw e;
		});
	}

	/** Renewals commit on their own, beside the group commit, so a long batch cannot starve them. */
	async renewLeases(leases: Lease[], now: number, leaseMs: number): Promise<Lease[]> {
		if (leases.length === 0) return [];
		const { rows } = await retryTransient(() => this.#renew(leases, now, leaseMs));
		const kept = new Set(rows.map((r) => `${r.iid}:${r.epoch}`));
		return leases.filter((l) => !kept.has(`${l.ref}:${l.epoch}`));
	}

	#renew(leases: Lease[], now: number, leaseMs: number) {
		return this.pool.query<{ iid: number; epoch: number }>(
			`WITH l AS (SELECT DISTINCT iid, epoch FROM unnest($1::bigint[], $2::bigint[]) AS l(iid, epoch) ORDER BY iid),
			 k AS (
				SELECT i.iid FROM l CROSS JOIN LATERAL (
					SELECT iid FROM ${this.#s}.instances WHERE iid = l.iid AND epoch = l.epoch AND status IN ('running', 'waitingForPause') FOR NO KEY UPDATE
				) i
			 )
			 UPDATE ${this.#s}.instances i SET wake_at = ${nowOr("$3")} + $4::bigint FROM k WHERE i.iid = k.iid RETURNING i.iid, i.epoch`,
			[leases.map((l) => l.ref), leases.map((l) => l.epoch), this.#now(now), leaseMs],
		);
	}

	releaseAllLeases(now: number): Promise<void> {
		if (this.#options.sharedByWorkers) return Promise.resolve();
		return this.writes.enqueue(this.#manage.releaseAllLeases(this.#now(now)));
	}

	releaseLeases(leases: Lease[], now: number): Promise<void> {
		if (leases.length === 0) return Promise.resolve();
		return this.writes.enqueue(this.#manage.releaseLeases(leases, this.#now(now)));
	}

	observe(observer: StoreObserver): void {
		this.#observer = observer;
		this.writes.observer = observer;
	}

	/** Due, unclaimed instances per workflow, from the due-time index; due times in the caller's clock. */
	async queueStats(workflows: string[], now: number): Promise<QueueStats[]> {
		if (workflows.length === 0) return [];
		const { rows } = await this.#read<{ workflow: string; depth: number; oldest: number | null }>(
			`SELECT w.workflow, q.depth, q.oldest FROM unnest($1::text[]) AS w(workflow)
			 CROSS JOIN LATERAL (
				SELECT count(*)::integer AS depth, min(wake_at) AS oldest FROM ${this.#s}.instances
				WHERE workflow = w.workflow AND prio IN (0, 1) AND wake_at IS NOT NULL AND wake_at <= ${nowOr("$2")}
			 ) q`,
			[workflows, this.#now(now)],
		);
		return rows.map((r) => ({ workflow: r.workflow, depth: r.depth, oldestDueAt: r.oldest === null ? null : r.oldest - this.#skewMs }));
	}

	/** In the caller's clock: on the database clock, shifted by the skew measured at the last claim. */
	async nextWakeAt(workflows: string[]): Promise<number | null> {
		if (workflows.length === 0) return null;
		const { rows } = await this.#read<{ at: number | null }>(
			`SELECT min(m.wake_at) AS at FROM unnest($1::text[]) AS w(workflow)
			 CROSS JOIN (VALUES (0::smallint), (1::smallint)) AS p(prio)
			 CROSS JOIN LATERAL (
				SELECT wake_at FROM ${this.#s}.instances WHERE workflow = w.workflow AND prio = p.prio AND wake_at IS NOT NULL ORDER BY wake_at LIMIT 1
			 ) m`,
			[workflows],
		);
		const at = rows[0]?.at ?? null;
		return at === null ? null : at - this.#skewMs;
	}

	/**
	 * Takes `role` for `holder` until now + ttlMs (on the store's clock) when nobody holds it, the
	 * holder's time ran out, or `holder` already holds it; one upsert, so two processes asking at
	 * once cannot both get it. Safe to run again: a renewal by the same holder.
	 */
	async holdRole(role: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
		const { rows } = await this.#read(
			`INSERT INTO ${this.#s}.roles AS r (role, holder, expires_at) VALUES ($1, $2, ${nowOr("$4")} + $3::bigint)
			 ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			 WHERE r.holder = excluded.holder OR r.expires_at <= ${nowOr("$4")}
			 RETURNING holder`,
			[role, holder, ttlMs, this.#now(now)],
		);
		return rows.length > 0;
	}

	/**
	 * Adds to the per-second tally of finishes. Seconds are the caller's, moved onto the database
	 * clock by the skew measured at the last claim, so processes on hosts whose clocks disagree
	 * count in the same seconds. Not run again on a lost connection (it may have committed):
	 * only when PostgreSQL picked it as a deadlock victim (rolled back). Rows are written in key
	 * order, so two processes adding at once lock them in the same order.
	 */
	async addFinishCounts(counts: FinishCount[]): Promise<void> {
		const shift = this.#skewSeconds();
		const merged = new Map<string, FinishCount>();
		for (const c of counts) {
			const key = `${c.workflow}\u0000${c.second}`;
			const m = merged.get(key) ?? { workflow: c.workflow, second: c.second + shift, complete: 0, errored: 0 };
			m.complete += c.complete;
			m.errored += c.errored;
			merged.set(key, m);
		}
		if (merged.size === 0) return;
		const rows = [...merged.values()];
		const write = () =>
			this.pool.query(
				`INSERT INTO ${this.#s}.finish_counts AS f (workflow, second, complete, errored)
				 SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::integer[]) ORDER BY 1, 2
				 ON CONFLICT (workflow, second) DO UPDATE SET complete = f.complete + excluded.complete, errored = f.errored + excluded.errored`,
				[rows.map((r) => r.workflow), rows.map((r) => r.second), rows.map((r) => r.complete), rows.map((r) => r.errored)],
			);
		for (let attempt = 1; ; attempt++) {
			try {
				await write();
				return;
			} catch (e) {
				if (attempt >= 3 || (e as { code?: unknown }).code !== "40P01") throw e;
			}
		}
	}

	/** Finished and errored instances of these workflows in the tally's seconds from `from` (caller's ms) on. */
	async sumFinishCounts(workflows: string[], from: number): Promise<{ finished: number; errored: number }> {
		const { rows } = await this.#read<{ complete: number; errored: number }>(
			`SELECT coalesce(sum(complete), 0)::bigint AS complete, coalesce(sum(errored), 0)::bigint AS errored
			 FROM ${this.#s}.finish_counts WHERE workflow = ANY($1::text[]) AND second >= $2`,
			[workflows, Math.floor(from / 1000) + this.#skewSeconds()],
		);
		const r = rows[0] ?? { complete: 0, errored: 0 };
		return { finished: r.complete + r.errored, errored: r.errored };
	}

	/** Drops the tally's seconds before `before` (caller's ms). */
	async deleteFinishCounts(before: number): Promise<void> {
		await this.#read(`DELETE FROM ${this.#s}.finish_counts WHERE second < $1`, [Math.floor(before / 1000) + this.#skewSeconds()]);
	}

	/** The database clock minus the caller's in whole seconds (0 on the caller's clock). */
	#skewSeconds(): number {
		return Math.round(this.#skewMs / 1000);
	}

	sendEvent(key: InstanceKey, type: string, payload: Uint8Array, now: number): Promise<ControlOutcome> {
		return this.writes.enqueue(this.#manage.sendEvent(key, type, payload, this.#now(now)));
	}

	pause(key: InstanceKey, now: number, stepInFlight: boolean): Promise<ControlOutcome> {
		return this.writes.enqueue(this.#manage.pause(key, this.#now(now), stepInFlight));
	}

	resume(key: InstanceKey, now: number, resumedRecord: (pausedMs: number) => NewJournalRecord): Promise<ControlOutcome> {
		return this.writes.enqueue(this.#manage.resume(key, this.#now(now), resumedRecord));
	}

	terminate(key: InstanceKey, now: number, record: NewJournalRecord, notify?: ChildNotice): Promise<ControlOutcome> {
		return this.writes.enqueue(this.#manage.terminate(key, this.#now(now), record, notify));
	}

	restart(key: InstanceKey, fromKey: string | null, now: number, consumed: number[] = []): Promise<ControlOutcome | "step_not_found"> {
		return this.writes.enqueue(this.#manage.restart(key, fromKey, this.#now(now), consumed));
	}

	/**
	 * Housekeeping for servers that run without autovacuum: one process at a time (an advisory
	 * lock) vacuums the claim-churned instances table (and the alert role and finish tally, which
	 * churn too) and refreshes the planner's statistics.
	 * Returns false when another process holds the lock.
	 */
	async maintain(): Promise<boolean> {
		const client = await this.pool.connect();
		const lock = `weft.maintain:${this.schema}`;
		let failure: Error | undefined;
		try {
			const { rows } = await client.query<{ got: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got", [lock]);
			if (!rows[0]?.got) return false;
			try {
				await client.query(`VACUUM (ANALYZE) ${this.#s}.instances`);
				// The alert role is renewed and the finish tally pruned every interval: small tables, steady churn.
				await client.query(`VACUUM ${this.#s}.roles, ${this.#s}.finish_counts`);
				await client.query(`ANALYZE ${this.#s}.journal, ${this.#s}.events`);
			} finally {
				await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lock]);
			}
			return true;
		} catch (e) {
			failure = e instanceof Error ? e : new Error(String(e));
			throw e;
		} finally {
			client.release(failure);
		}
	}

	/** Commits what is queued, then ends the LISTEN connection and the pool. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		if (this.#maintenance) clearInterval(this.#maintenance);
		await this.writes.flush();
		await this.#wake.close();
		await this.pool.end();
	}
}

/**
 * Runs a statement that commits on its own (a read, a lease renewal) again when it failed for a
 * reason that running it again cures: PostgreSQL picked it as a deadlock victim (a renewal locks
 * rows that a group commit's batch may lock in another order), or the pool handed out an idle
 * connection that the server had already closed (a restart, a failover, pg_terminate_backend)
 * before the pool heard of it. Such statements are idempotent, so running them again is safe.
 */
async function retryTransient<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await run();
		} catch (e) {
			if (attempt >= attempts || !isTransient(e)) throw e;
		}
	}
}

/** Deadlock victim, or a connection the server closed (class 08, admin/crash shutdown 57P01/57P02). */
function isTransient(e: unknown): boolean {
	const code = (e as { code?: unknown }).code;
	if (code === "40P01" || code === "57P01" || code === "57P02") return true;
	if (typeof code === "string" && code.startsWith("08")) return true;
	return e instanceof Error && /Connection terminated|ECONNRESET/.test(e.message);
}
