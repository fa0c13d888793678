// The management writes (and sendEvent): each locks or conditionally updates the instance's row
// in the group commit's transaction. resume, terminate and restart bump the epoch, fencing any
// live activation, and append under the new one (seq = epoch · 2^20 + 1).
import { type ChildNotice, type ControlOutcome, type InstanceKey, type Lease, type NewJournalRecord, SEQS_PER_EPOCH, TERMINAL_STATUSES } from "@weft/core";
import type { Tx } from "./group-commit.js";
import { DB_NOW, type InstanceRow, nowOr, TERMINAL_SQL, toBuffer } from "./instance-row.js";

/** A write for the group commit to run in its transaction. */
export type Op<T> = (tx: Tx) => Promise<T>;

/** Builds the writes; each `now` is the caller's, or null for the database's clock. */
export class ManagementWrites {
	readonly #s: string;

	constructor(s: string) {
		this.#s = s;
	}

	releaseAllLeases(now: number | null): Op<void> {
		return async (tx) => {
			const { rows } = await tx.query<{ workflow: string }>(
				// The rows are locked in iid order first, the order every other multi-row write takes them
				// in, so this cannot deadlock with a lease renewal or a batch of fenced writes.
				`WITH k AS (SELECT iid FROM ${this.#s}.instances WHERE status IN ('running', 'waitingForPause') ORDER BY iid FOR NO KEY UPDATE),
				 r AS (UPDATE ${this.#s}.instances i SET wake_at = ${nowOr("$1")} FROM k WHERE i.iid = k.iid AND i.status = 'running' RETURNING i.workflow),
				 p AS (UPDATE ${this.#s}.instances i SET status = 'paused', wake_at = NULL FROM k WHERE i.iid = k.iid AND i.status = 'waitingForPause')
				 SELECT DISTINCT workflow FROM r`,
				[now],
			);
			for (const r of rows) tx.notify(r.workflow);
		};
	}

	releaseLeases(leases: Lease[], now: number | null): Op<void> {
		return async (tx) => {
			const { rows } = await tx.query<{ workflow: string }>(
				// Locked in iid order, as releaseAllLeases does, for the same reason.
				`WITH k AS (
					SELECT i.iid FROM unnest($1::bigint[], $2::bigint[]) AS l(iid, epoch)
					JOIN ${this.#s}.instances i ON i.iid = l.iid AND i.epoch = l.epoch AND i.status IN ('running', 'waitingForPause')
					ORDER BY i.iid FOR NO KEY UPDATE OF i
				 ),
				 r AS (UPDATE ${this.#s}.instances i SET wake_at = ${nowOr("$3")} FROM k WHERE i.iid = k.iid AND i.status = 'running' RETURNING i.workflow),
				 p AS (UPDATE ${this.#s}.instances i SET status = 'paused', wake_at = NULL FROM k WHERE i.iid = k.iid AND i.status = 'waitingForPause')
				 SELECT DISTINCT workflow FROM r`,
				[leases.map((l) => l.ref), leases.map((l) => l.epoch), now],
			);
			for (const r of rows) tx.notify(r.workflow);
		};
	}

	sendEvent(key: InstanceKey, type: string, payload: Uint8Array, now: number | null): Op<ControlOutcome> {
		return async (tx) => {
			// The event's seq is the signal value that delivers it: increasing per instance, and
			// taken under the row lock, so concurrent senders never collide.
			const { rows } = await tx.query<{ found: string | null; sent: string | null; workflow: string | null }>(
				`WITH r AS (SELECT iid, status FROM ${this.#s}.instances WHERE workflow = $1 AND id = $2),
				 u AS (
					UPDATE ${this.#s}.instances i SET signal = i.signal + 1,
						wake_at = CASE WHEN i.status = 'waiting' THEN ${nowOr("$5")} ELSE i.wake_at END
					FROM r WHERE i.iid = r.iid AND i.status NOT IN ${TERMINAL_SQL}
					RETURNING i.iid, i.signal, i.status, i.workflow
				 ),
				 e AS (INSERT INTO ${this.#s}.events (iid, seq, type, at, payload) SELECT iid, signal, $3, ${nowOr("$5")}, $4 FROM u)
				 SELECT (SELECT status FROM r) AS found, (SELECT status FROM u) AS sent, (SELECT workflow FROM u) AS workflow`,
				[key.workflow, key.id, type, toBuffer(payload), now],
			);
			const r = rows[0];
			if (!r?.found) return "not_found";
			// Cloudflare accepts events for finished instances silently; nothing will read them.
			if (!r.sent) return "finished";
			if (r.sent === "waiting" && r.workflow) tx.notify(r.workflow);
			return "ok";
		};
	}

	/** Locks an instance's row for a management write; `db_now` is the database's clock. */
	async #lock(tx: Tx, key: InstanceKey): Promise<(InstanceRow & { db_now: number }) | undefined> {
		const { rows } = await tx.query<InstanceRow & { db_now: number }>(
			`SELECT *, ${DB_NOW} AS db_now FROM ${this.#s}.instances WHERE workflow = $1 AND id = $2 FOR NO KEY UPDATE`,
			[key.workflow, key.id],
		);
		return rows[0];
	}

	pause(key: InstanceKey, now: number | null, stepInFlight: boolean): Op<ControlOutcome> {
		return async (tx) => {
			const r = await this.#lock(tx, key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			if (r.status === "paused") return "ok";
			await tx.query(
				`UPDATE ${this.#s}.instances SET pause_requested = true, paused_at = coalesce(paused_at, ${nowOr("$2")}), updated_at = ${nowOr("$2")},
				   status = CASE WHEN $3 THEN 'waitingForPause' ELSE 'paused' END, wake_at = CASE WHEN $3 THEN wake_at ELSE NULL END
				 WHERE iid = $1`,
				[r.iid, now, stepInFlight],
			);
			return "ok";
		};
	}

	resume(key: InstanceKey, now: number | null, resumedRecord: (pausedMs: number) => NewJournalRecord): Op<ControlOutcome> {
		return async (tx) => {
			const r = await this.#lock(tx, key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			if (!r.pause_requested) return "ok";
			const t = now ?? r.db_now;
			const rec = resumedRecord(Math.max(0, t - (r.paused_at ?? t)));
			await tx.query(
				`WITH u AS (
					UPDATE ${this.#s}.instances SET epoch = epoch + 1, pause_requested = false, paused_at = NULL, signal = signal + 1, updated_at = $2,
						wake_at = CASE WHEN status = 'paused' THEN $2 ELSE wake_at END,
						status = CASE status WHEN 'paused' THEN 'queued' WHEN 'waitingForPause' THEN 'running' ELSE status END
					WHERE iid = $1 RETURNING iid, generation, epoch
				 )
				 INSERT INTO ${this.#s}.journal (iid, generation, seq, at, kind, key, data)
				 SELECT iid, generation, epoch * ${SEQS_PER_EPOCH} + 1, $3, $4, $5, $6 FROM u`,
				[r.iid, t, rec.at, rec.kind, rec.key, toBuffer(rec.data)],
			);
			if (r.status === "paused") tx.notify(r.workflow);
			return "ok";
		};
	}

	terminate(key: InstanceKey, now: number | null, record: NewJournalRecord, notify?: ChildNotice): Op<ControlOutcome> {
		return async (tx) => {
			const r = await this.#lock(tx, key);
			if (!r) return "not_found";
			if (TERMINAL_STATUSES.has(r.status)) return "finished";
			await tx.query(
				`WITH u AS (
					UPDATE ${this.#s}.instances SET status = 'terminated', epoch = epoch + 1, wake_at = NULL, ended_at = ${nowOr("$2")},
						updated_at = ${nowOr("$2")}, pause_requested = false, paused_at = NULL
					WHERE iid = $1 RETURNING iid, generation, epoch
				 )
				 INSERT INTO ${this.#s}.journal (iid, generation, seq, at, kind, key, data)
				 SELECT iid, generation, epoch * ${SEQS_PER_EPOCH} + 1, $3, $4, $5, $6 FROM u`,
				[r.iid, now, record.at, record.kind, record.key, toBuffer(record.data)],
			);
			if (notify) await this.sendEvent(notify.parent, notify.type, notify.payload, now)(tx);
			return "ok";
		};
	}

	restart(key: InstanceKey, fromKey: string | null, now: number | null, consumed: number[]): Op<ControlOutcome | "step_not_found"> {
		return async (tx) => {
			const r = await this.#lock(tx, key);
			if (!r) return "not_found";
			if (fromKey !== null) {
				const { rows } = await tx.query<{ seq: number | null }>(
					`SELECT min(seq) AS seq FROM ${this.#s}.journal WHERE iid = $1 AND generation = $2 AND key = $3`,
					[r.iid, r.generation, fromKey],
				);
				const first = rows[0]?.seq;
				if (first === null || first === undefined) return "step_not_found";
				await tx.query(
					`INSERT INTO ${this.#s}.journal (iid, generation, seq, at, kind, key, data)
					 SELECT iid, generation + 1, seq, at, kind, key, data FROM ${this.#s}.journal WHERE iid = $1 AND generation = $2 AND seq < $3`,
					[r.iid, r.generation, first],
				);
			}
			if (consumed.length > 0) await tx.query(`DELETE FROM ${this.#s}.events WHERE iid = $1 AND seq = ANY($2::bigint[])`, [r.iid, consumed]);
			await tx.query(
				`UPDATE ${this.#s}.instances SET generation = generation + 1, epoch = epoch + 1, status = 'queued', output = NULL, error = NULL,
				   started_at = NULL, ended_at = NULL, pause_requested = false, paused_at = NULL, signal = signal + 1,
				   wake_at = ${nowOr("$2")}, updated_at = ${nowOr("$2")}, prio = 1
				 WHERE iid = $1`,
				[r.iid, now],
			);
			tx.notify(r.workflow);
			return "ok";
		};
	}
}
