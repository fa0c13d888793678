// The embedded Store: one SQLite file in WAL mode, synchronous=FULL by default, every write
// through one group commit. better-sqlite3 is synchronous, so reads run directly and see
// everything already acknowledged.
import {
	type ActivationOutcome,
	type ChildNotice,
	type Claimed,
	type ClaimSlot,
	type ControlOutcome,
	type CreateOutcome,
	type EventRecord,
	type InstanceKey,
	type InstanceRecord,
	type InstanceRowColumns,
	type InstanceStatusName,
	instanceRecordOf,
	type JournalRecord,
	journalSeq,
	type Lease,
	LeaseLostError,
	type ListInstancesQuery,
	type ListPosition,
	type NewInstance,
	type NewJournalRecord,
	neverWritten,
	type QueueStats,
	type Store,
	type StoreObserver,
	TERMINAL_STATUSES,
	WeftError,
} from "@weft/core";
import Database from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";
import { MIGRATIONS } from "./migrations.js";

export interface SqliteStoreOptions {
	/** The database file (created if missing), or ":memory:". */
	path: string;
	/** FULL (default) survives power loss; NORMAL may lose the last commits on power loss, never on a crash. */
	synchronous?: "FULL" | "NORMAL" | "OFF";
	/** Page cache size (default 256 MiB; SQLite allocates it only as pages are used). */
	cacheMiB?: number;
	/**
	 * Open an existing file for reading only (`weft replay --database`): nothing is written, not
	 * even a migration; a file whose schema is older than this Weft's is refused.
	 */
	readonly?: boolean;
}

interface Row extends InstanceRowColumns {
	params: Buffer;
	output: Buffer | null;
	pause_requested: number;
}

export class SqliteStore implements Store {
	readonly db: Database.Database;
	readonly writes: GroupCommit;
	readonly #s;

	constructor(options: SqliteStoreOptions) {
		const db = new Database(options.path, options.readonly ? { readonly: true, fileMustExist: true } : {});
		this.db = db;
		if (!options.readonly) {
			db.pragma("journal_mode = WAL");
			db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
		}
		db.pragma("busy_timeout = 5000");
		// SQLite's default page cache is 2 MiB; a deep queue's rows and indexes are far larger, and
		// every claim and fenced write would then read pages back from the OS.
		db.pragma(`cache_size = -${(options.cacheMiB ?? 256) * 1024}`);
		db.pragma("temp_store = MEMORY");
		if (options.readonly) checkSchema(db);
		else migrate(db);
		this.writes = new GroupCommit(db);
		this.#s = {
			insert: db.prepare(
				"INSERT INTO instances (workflow, id, status, params, created_at, updated_at, wake_at, version, parent_workflow, parent_id) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			),
			// A fork is born with a journal: signal 1 tells a claim there is one to read (see neverWritten).
			markForked: db.prepare<[string, string], { iid: number }>("UPDATE instances SET signal = 1 WHERE workflow = ? AND id = ? RETURNING iid"),
			byKey: db.prepare<[string, string], Row>("SELECT * FROM instances WHERE workflow = ? AND id = ?"),
			journal: db.prepare<[number, number], JournalRecord>("SELECT seq, at, kind, key, data FROM journal WHERE iid = ? AND generation = ? ORDER BY seq"),
			journalAfter: db.prepare<[number, number, number], JournalRecord>(
				"SELECT seq, at, kind, key, data FROM journal WHERE iid = ? AND generation = ? AND seq > ? ORDER BY seq",
			),
			children: db.prepare<[string, string], { workflow: string; id: string }>(
				"SELECT workflow, id FROM instances WHERE parent_workflow = ? AND parent_id = ? AND status NOT IN ('complete', 'errored', 'terminated') ORDER BY iid",
			),
			deleteJournal: db.prepare("DELETE FROM journal WHERE iid = ?"),
			deleteEvents: db.prepare("DELETE FROM events WHERE iid = ?"),
			deleteRow: db.prepare("DELETE FROM instances WHERE iid = ?"),
			counts: db.prepare<[], { workflow: string; status: InstanceStatusName; count: number }>(
				"SELECT workflow, status, count(*) AS count FROM instances GROUP BY workflow, status ORDER BY workflow, status",
			),
			events: db.prepare<[number], EventRecord>("SELECT seq, type, at, payload FROM events WHERE iid = ? ORDER BY seq"),
			claim: db.prepare<{ workflow: string; prio: number; now: number; limit: number; expires: number }, Row>(
				`UPDATE instances SET epoch = epoch + 1, status = CASE status WHEN 'waitingForPause' THEN status ELSE 'running' END,
				   started_at = coalesce(started_at, :now), updated_at = :now, wake_at = :expires, prio = 0
				 WHERE iid IN (SELECT iid FROM instances WHERE workflow = :workflow AND prio = :prio AND wake_at <= :now ORDER BY wake_at LIMIT :limit)
				 RETURNING *`,
			),
			// A read, not a write: the records carry seqs of their own epoch, so nothing needs counting.
			fence: db.prepare<[number, number], { generation: number }>("SELECT generation FROM instances WHERE iid = ? AND epoch = ?"),
			bumpEpoch: db.prepare("UPDATE instances SET epoch = ? WHERE iid = ?"),
			append: db.prepare("INSERT INTO journal (iid, generation, seq, at, kind, key, data) VALUES (?, ?, ?, ?, ?, ?, ?)"),
			complete: db.prepare<{ iid: number; now: number; output: Uint8Array }>(
				"UPDATE instances SET status = 'complete', output = :output, ended_at = :now, updated_at = :now, wake_at = NULL WHERE iid = :iid",
			),
			errored: db.prepare<{ iid: number; now: number; error: string }>(
				"UPDATE instances SET status = 'errored', error = :error, ended_at = :now, updated_at = :now, wake_at = NULL WHERE iid = :iid",
			),
			terminatedAfterRollback: db.prepare<{ iid: number; now: number; error: string }>(
				"UPDATE instances SET status = 'terminated', error = :error, ended_at = :now, updated_at = :now, wake_at = NULL, pause_requested = 0, paused_at = NULL WHERE iid = :iid",
			),
			suspend: db.prepare<{ iid: number; now: number; wakeAt: number | null; signal: number }>(
				`UPDATE instances SET
				   status = CASE WHEN pause_requested = 1 THEN 'paused' ELSE 'waiting' END, updated_at = :now,
				   wake_at = CASE WHEN pause_requested = 1 THEN NULL WHEN signal != :signal THEN :now ELSE :wakeAt END
				 WHERE iid = :iid`,
			),
			// Only a lease still running is extended: a renewal landing after a suspension must not
			// overwrite the timer that suspension set.
			renew: db.prepare("UPDATE instances SET wake_at = ? WHERE iid = ? AND epoch = ? AND status IN ('running', 'waitingForPause')"),
			releaseRunning: db.prepare("UPDATE instances SET wake_at = ? WHERE status = 'running'"),
			releasePausing: db.prepare("UPDATE instances SET status = 'paused', wake_at = NULL WHERE status = 'waitingForPause'"),
			releaseOne: db.prepare(
				"UPDATE instances SET status = CASE status WHEN 'waitingForPause' THEN 'paused' ELSE status END, wake_at = CASE status WHEN 'running' THEN ? END WHERE iid = ? AND epoch = ? AND status IN ('running', 'waitingForPause')",
			),
			queue: db.prepare<[string, number], { depth: number; oldest: number | null }>(
				"SELECT count(*) AS depth, min(wake_at) AS oldest FROM instances WHERE workflow = ? AND prio IN (0, 1) AND wake_at IS NOT NULL AND wake_at <= ?",
			),
			nextWake: db.prepare<[string, number], { at: number | null }>(
				"SELECT min(wake_at) AS at FROM instances WHERE workflow = ? AND prio = ? AND wake_at IS NOT NULL",
			),
			insertEvent: db.prepare(
				// The seq is the signal value that delivers the event, as on PostgreSQL: it only grows, so a
				// seq a journal names as consumed is never handed to another event (a restart deletes events).
				"INSERT INTO events (iid, seq, type, at, payload) VALUES (?, (SELECT signal FROM instances WHERE iid = ?), ?, ?, ?)",
			),
			signal: db.prepare("UPDATE instances SET signal = signal + 1, wake_at = CASE WHEN status = 'waiting' THEN ? ELSE wake_at END WHERE iid = ?"),
			pause: db.prepare<{ iid: number; now: number; inFlight: number }>(
				`UPDATE instances SET pause_requested = 1, paused_at = coalesce(paused_at, :now), updated_at = :now,
				   status = CASE WHEN :inFlight = 1 THEN 'waitingForPause' ELSE 'paused' END,
				   wake_at = CASE WHEN :inFlight = 1 THEN wake_at ELSE NULL END
				 WHERE iid = :iid`,
			),
			resume: db.prepare<{ iid: number; now: number }>(
				`UPDATE instances SET pause_requested = 0, paused_at = NULL, signal = signal + 1, updated_at = :now,
				   wake_at = CASE WHEN status = 'paused' THEN :now ELSE wake_at END,
				   status = CASE status WHEN 'paused' THEN 'queued' WHEN 'waitingForPause' THEN 'running' ELSE status END
				 WHERE iid = :iid`,
			),
			terminate: db.prepare(
				"UPDATE instances SET status = 'terminated', epoch = epoch + 1, wake_at = NULL, ended_at = ?, updated_at = ?, pause_requested = 0, paused_at = NULL WHERE iid = ?",
			),
			firstSeq: db.prepare<[number, number, string], { seq: number | null }>(
				"SELECT min(seq) AS seq FROM journal WHERE iid = ? AND generation = ? AND key = ?",
			),
			copyJournal: db.prepare(
				"INSERT INTO journal (iid, generation, seq, at, kind, key, data) SELECT iid, ?, seq, at, kind, key, data FROM journal WHERE iid = ? AND generation = ? AND seq < ?",
			),
			dropEvent: db.prepare("DELETE FROM events WHERE iid = ? AND seq = ?"),
			restart: db.prepare(
				`UPDATE instances SET generation = generation + 1, epoch = epoch + 1, status = 'queued', output = NULL, error = NULL,
				   started_at = NULL, ended_at = NULL, pause_requested = 0, paused_at = NULL, signal = signal + 1, wake_at = ?, updated_at = ?, prio = 1
				 WHERE iid = ?`,
			),
		};
	}

	#row(key: InstanceKey): Row | undefined {
		return this.#s.byKey.get(key.workflow, key.id);
	}

	#fenced(lease: Lease, records: JournalRecord[]): void {
		if (this.writes.isPoisoned(leaseKey(lease)))
			throw new LeaseLostError("an earlier write under this lease was lost in a failed commit; the write was rejected");
		const row = this.#s.fence.get(lease.ref, lease.epoch);
		if (!row) throw new LeaseLostError();
		for (const r of records) this.#s.append.run(lease.ref, row.generation, r.seq, r.at, r.kind, r.key, r.data);
	}

	/** A management write: bumps the epoch (fencing any live activation) and appends under the new one. */
	#bumpAndAppend(r: Row, records: NewJournalRecord[]): void {
		const epoch = r.epoch + 1;
		this.#s.bumpEpoch.run(epoch, r.iid);
		let n = 0;
		for (const rec of records) this.#s.append.run(r.iid, r.generation, journalSeq(epoch, ++n), rec.at, rec.kind, rec.key, rec.data);
	}

	createInstances(items: NewInstance[], now: number): Promise<CreateOutcome[]> {
		return this.writes.enqueue(() =>
			items.map((it): CreateOutcome => {
				if (
					this.#s.insert.run(it.workflow, it.id, it.params, now, now, now, it.version ?? null, it.parent?.workflow ?? null, it.parent?.id ?? null).changes !== 1
				)
					return { ok: false, code: "instance.already_exists" };
				if (it.journal?.length) {
					const { iid } = this.#s.markForked.get(it.workflow, it.id) as { iid: number };
					let n = 0;
					for (const rec of it.journal) this.#s.append.run(iid, 0, journalSeq(0, ++n), rec.at, rec.kind, rec.key, rec.data);
				}
				return { ok: true };
			}),
		);
	}

	async getInstance(key: InstanceKey): Promise<InstanceRecord | null> {
		const r = this.#row(key);
		return r ? instanceRecordOf(r) : null;
	}

	async readJournal(key: InstanceKey, afterSeq = 0): Promise<JournalRecord[]> {
		const r = this.#row(key);
		return r ? this.#s.journalAfter.all(r.iid, r.generation, afterSeq) : [];
	}

	async listInstances(q: ListInstancesQuery): Promise<{ instances: InstanceRecord[]; next: ListPosition | null }> {
		const where = ["workflow = @workflow"];
		if (q.status !== undefined) where.push("status = @status");
		if (q.version !== undefined) where.push("version = @version");
		if (q.createdFrom !== undefined) where.push("created_at >= @createdFrom");
		if (q.createdBefore !== undefined) where.push("created_at < @createdBefore");
		if (q.after) where.push("(created_at < @afterCreatedAt OR (created_at = @afterCreatedAt AND id < @afterId))");
		// Both shapes are served by an index: (workflow, created_at, id) or (workflow, status, created_at, id).
		const sql = `SELECT * FROM instances WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT @limit`;
		const rows = this.db.prepare<Record<string, unknown>, Row>(sql).all({
			workflow: q.workflow,
			status: q.status,
			version: q.version,
			createdFrom: q.createdFrom,
			createdBefore: q.createdBefore,
			afterCreatedAt: q.after?.createdAt,
			afterId: q.after?.id,
			limit: q.limit + 1,
		});
		const page = rows.slice(0, q.limit);
		const last = page.at(-1);
		return { instances: page.map(instanceRecordOf), next: rows.length > q.limit && last ? { createdAt: last.created_at, id: last.id } : null };
	}

	async countByStatus(): Promise<{ workflow: string; status: InstanceStatusName; count: number }[]> {
		return this.#s.counts.all();
	}

	async readEvents(key: InstanceKey): Promise<EventRecord[]> {
		const r = this.#row(key);
		return r ? this.#s.events.all(r.iid) : [];
	}

	claimActivations({ slots, now, leaseMs }: { slots: ClaimSlot[]; now: number; leaseMs: number }): Promise<Claimed[]> {
		return this.writes.enqueue(() => {
			const claimed: Claimed[] = [];
			for (const { workflow, limit } of slots) {
				const woken = this.#s.claim.all({ workflow, prio: 0, now, limit, expires: now + leaseMs });
				const created = woken.length < limit ? this.#s.claim.all({ workflow, prio: 1, now, limit: limit - woken.length, expires: now + leaseMs }) : [];
				for (const r of [...woken, ...created]) {
					claimed.push({
						lease: { workflow: r.workflow, id: r.id, ref: r.iid, epoch: r.epoch, signal: r.signal },
						instance: instanceRecordOf(r),
						// Never claimed, restarted, resumed or sent an event: nothing to read.
						journal: neverWritten(r) ? [] : this.#s.journal.all(r.iid, r.generation),
						events: r.signal === 0 ? [] : this.#s.events.all(r.iid),
					});
				}
			}
			return claimed;
		});
	}

	appendJournal(lease: Lease, records: JournalRecord[]): Promise<void> {
		return this.writes.enqueue(() => this.#fenced(lease, records), leaseKey(lease));
	}

	completeActivation(lease: Lease, records: JournalRecord[], outcome: ActivationOutcome, now: number): Promise<void> {
		return this.writes.enqueue(() => {
			this.#fenced(lease, records);
			switch (outcome.kind) {
				case "complete":
					this.#s.complete.run({ output: outcome.output, now, iid: lease.ref });
					if (outcome.notify) this.#deliver(outcome.notify, now);
					break;
				case "errored":
					this.#s.errored.run({ error: JSON.stringify(outcome.error), now, iid: lease.ref });
					if (outcome.notify) this.#deliver(outcome.notify, now);
					break;
				case "terminated":
					this.#s.terminatedAfterRollback.run({ error: JSON.stringify(outcome.error), now, iid: lease.ref });
					if (outcome.notify) this.#deliver(outcome.notify, now);
					break;
				case "suspend":
					this.#s.suspend.run({ iid: lease.ref, now, wakeAt: outcome.wakeAt, signal: lease.signal });
					break;
			}
		}, leaseKey(lease));
	}

	renewLeases(leases: Lease[], now: number, leaseMs: number): Promise<Lease[]> {
		return this.writes.enqueue(() => leases.filter((l) => this.#s.renew.run(now + leaseMs, l.ref, l.epoch).changes === 0));
	}

	releaseAllLeases(now: number): Promise<void> {
		return this.writes.enqueue(() => {
			// Whatever a previous process left running is taken over by this one.
			const taken = this.#s.releaseRunning.run(now).changes + this.#s.releasePausing.run().changes;
			if (taken > 0) this.writes.observer?.leaseTakeovers?.(taken);
		});
	}

	releaseLeases(leases: Lease[], now: number): Promise<void> {
		if (leases.length === 0) return Promise.resolve();
		return this.writes.enqueue(() => {
			for (const l of leases) this.#s.releaseOne.run(now, l.ref, l.epoch);
		});
	}

	observe(observer: StoreObserver): void {
		this.writes.observer = observer;
	}

	async queueStats(workflows: string[], now: number): Promise<QueueStats[]> {
		return workflows.map((workflow) => {
			const r = this.#s.queue.get(workflow, now);
			return { workflow, depth: r?.depth ?? 0, oldestDueAt: r?.oldest ?? null };
		});
	}

	async nextWakeAt(workflows: string[]): Promise<number | null> {
		let next: number | null = null;
		for (const w of workflows) {
			for (const prio of [0, 1]) {
				const at = this.#s.nextWake.get(w, prio)?.at ?? null;
				if (at !== null && (next === null || at < next)) next = at;
			}
		}
		return next;
	}

	sendEvent(key: InstanceKey, type: string, payload: Uint8Array, now: number): Promise<ControlOutcome> {
		return this.writes.enqueue(() => this.#deliver({ parent: key, type, payload }, now));
	}

	/** Buffers an event for an instance and wakes it if it waits; inside the caller's transaction. */
	#deliver({ parent: key, type, payload }: ChildNotice, now: number): ControlOutcome {
		const r = this.#row(key);
		if (!r) return "not_found";
		// Cloudflare accepts events for finished instances silently; nothing will read them.
		if (TERMINAL_STATUSES.has(r.status)) return "finished";
		this.#s.signal.run(now, r.iid);
		this.#s.insertEvent.run(r.iid, r.iid, type, now, payload);
		return "ok";
	}

	deleteInstances(keys: InstanceKey[]): Promise<("ok" | "not_found")[]> {
		return this.writes.enqueue(() =>
			keys.map((key) => {
				const r = this.#row(key);
				if (!r) return "not_found";
				this.#erase(r.iid);
				return "ok";
			}),
		);
	}

	purgeInstances(q: { workflow: string; statuses: InstanceStatusName[]; endedBefore: number; limit: number }): Promise<number> {
		return this.writes.enqueue(() => {
			// Served by (workflow, status, created_at, id): the oldest come first, and they ended first, mostly.
			const marks = q.statuses.map(() => "?").join(", ");
			const iids = this.db
				.prepare<unknown[], { iid: number }>(`SELECT iid FROM instances WHERE workflow = ? AND status IN (${marks}) AND ended_at < ? LIMIT ?`)
				.all(q.workflow, ...q.statuses, q.endedBefore, q.limit);
			for (const { iid } of iids) this.#erase(iid);
			return iids.length;
		});
	}

	#erase(iid: number): void {
		this.#s.deleteJournal.run(iid);
		this.#s.deleteEvents.run(iid);
		this.#s.deleteRow.run(iid);
	}

	async childrenOf(key: InstanceKey): Promise<InstanceKey[]> {
		return this.#s.children.all(key.workflow, key.id);
	}

	pause(key: InstanceKey, now: number, stepInFlight: boolean): Promise<ControlOutcome> {
		return this.writes.enqueue(() => {
			const r = this.#row(key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			if (r.status !== "paused") this.#s.pause.run({ iid: r.iid, now, inFlight: stepInFlight ? 1 : 0 });
			return "ok";
		});
	}

	resume(key: InstanceKey, now: number, resumedRecord: (pausedMs: number) => NewJournalRecord): Promise<ControlOutcome> {
		return this.writes.enqueue(() => {
			const r = this.#row(key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			if (r.pause_requested !== 1) return "ok";
			this.#bumpAndAppend(r, [resumedRecord(Math.max(0, now - (r.paused_at ?? now)))]);
			this.#s.resume.run({ iid: r.iid, now });
			return "ok";
		});
	}

	terminate(key: InstanceKey, now: number, record: NewJournalRecord, notify?: ChildNotice): Promise<ControlOutcome> {
		return this.writes.enqueue(() => {
			const r = this.#row(key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			this.#bumpAndAppend(r, [record]);
			this.#s.terminate.run(now, now, r.iid);
			if (notify) this.#deliver(notify, now);
			return "ok";
		});
	}

	restart(key: InstanceKey, fromKey: string | null, now: number, consumed: number[] = []): Promise<ControlOutcome | "step_not_found"> {
		return this.writes.enqueue(() => {
			const r = this.#row(key);
			if (!r) return "not_found";
			if (fromKey !== null) {
				const first = this.#s.firstSeq.get(r.iid, r.generation, fromKey)?.seq;
				if (first === null || first === undefined) return "step_not_found";
				this.#s.copyJournal.run(r.generation + 1, r.iid, r.generation, first);
			}
			for (const seq of consumed) this.#s.dropEvent.run(r.iid, seq);
			this.#s.restart.run(now, now, r.iid);
			return "ok";
		});
	}

	async close(): Promise<void> {
		this.writes.flush();
		this.db.close();
	}
}

function leaseKey(lease: Lease): string {
	return `${lease.ref}:${lease.epoch}`;
}

function checkSchema(db: Database.Database): void {
	const applied = db.pragma("user_version", { simple: true }) as number;
	if (applied !== MIGRATIONS.length)
		throw new WeftError(
			"store.schema_mismatch",
			`the database's schema is at version ${applied}, this Weft's at ${MIGRATIONS.length}: open it once with weft start (which migrates it) before reading it read-only`,
		);
}

function migrate(db: Database.Database): void {
	db.transaction(() => {
		const applied = db.pragma("user_version", { simple: true }) as number;
		for (let v = applied; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
		if (applied < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
	}).immediate();
}
