// The two writes of the hot path, coalesced across a batch: journal appends and activation
// endings of every activation that committed during one event-loop turn cost two statements.
import {
	type ActivationOutcome,
	type ChildNotice,
	type ControlOutcome,
	type CreateOutcome,
	type JournalRecord,
	journalSeq,
	type Lease,
	LeaseLostError,
	type NewInstance,
} from "@weft/core";
import type { Coalesced, Outcome, Tx } from "./group-commit.js";
import { DB_NOW, toBuffer } from "./instance-row.js";
import type { Op } from "./management-writes.js";

export interface FencedWrite {
	lease: Lease;
	records: JournalRecord[];
	/** How the activation ends, for completeActivation; null for appendJournal. */
	outcome: ActivationOutcome | null;
	/** `now` for SQL: the caller's, or null for the database's clock. */
	now: number | null;
	callerNow: number;
}

/**
 * One statement for all of a batch's fenced writes: it locks the rows of the leases still held
 * (same epoch) in iid order, inserts the records of those, and ends the activations that asked
 * to; a write whose lease is not among them fails with LeaseLostError and wrote nothing.
 *
 * A fenced write that failed for any other reason (its statement, or its batch's COMMIT) poisons
 * its lease: later writes under it are refused as lost, so an activation whose append was lost
 * cannot go on to complete without it (its commits may sit in different batches).
 */
export class FencedWrites implements Coalesced<FencedWrite, void> {
	readonly #sql: string;
	readonly #poisoned = new Set<string>();
	readonly #deliver: (notice: ChildNotice, now: number | null) => Op<ControlOutcome>;

	constructor(s: string, deliver: (notice: ChildNotice, now: number | null) => Op<ControlOutcome>) {
		this.#deliver = deliver;
		// A suspension's wakeAt is the caller's clock: on the database clock it becomes the same
		// delay from the database's now, so a worker whose clock is off still sleeps as long.
		this.#sql = `
			WITH l AS (SELECT DISTINCT iid, epoch FROM unnest($1::bigint[], $2::bigint[]) AS l(iid, epoch) ORDER BY iid),
			f AS (
				SELECT i.iid, i.epoch, i.generation FROM l CROSS JOIN LATERAL (
					SELECT iid, epoch, generation FROM ${s}.instances WHERE iid = l.iid AND epoch = l.epoch FOR NO KEY UPDATE
				) i
			),
			j AS (
				INSERT INTO ${s}.journal (iid, generation, seq, at, kind, key, data)
				SELECT f.iid, f.generation, r.seq, r.at, r.kind, r.key, r.data
				FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::bytea[]) AS r(iid, epoch, seq, at, kind, key, data)
				JOIN f ON f.iid = r.iid AND f.epoch = r.epoch
			),
			c AS (
				SELECT c.*, coalesce(c.now, ${DB_NOW}) AS t
				FROM unnest($10::bigint[], $11::bigint[], $12::text[], $13::bytea[], $14::text[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[])
					AS c(iid, epoch, kind, output, error, wake, signal, now, cnow)
				JOIN f USING (iid, epoch)
			),
			u AS (
				UPDATE ${s}.instances i SET
					status = CASE c.kind WHEN 'suspend' THEN CASE WHEN i.pause_requested THEN 'paused' ELSE 'waiting' END ELSE c.kind END,
					output = CASE WHEN c.kind = 'complete' THEN c.output ELSE i.output END,
					error = CASE WHEN c.kind IN ('errored', 'terminated') THEN c.error ELSE i.error END,
					ended_at = CASE WHEN c.kind = 'suspend' THEN i.ended_at ELSE c.t END,
					updated_at = c.t,
					wake_at = CASE
						WHEN c.kind <> 'suspend' OR i.pause_requested THEN NULL
						WHEN i.signal <> c.signal THEN c.t
						WHEN c.wake IS NULL THEN NULL
						WHEN c.now IS NULL THEN c.t + greatest(0, c.wake - c.cnow)
						ELSE c.wake
					END
				FROM c WHERE i.iid = c.iid
				RETURNING i.workflow, i.wake_at, c.t
			)
			SELECT iid, epoch, NULL::text AS due FROM f
			UNION ALL (SELECT DISTINCT NULL::bigint, NULL::bigint, workflow FROM u WHERE wake_at <= t)`;
	}

	async runMany(tx: Tx, items: FencedWrite[]): Promise<Outcome<void>[]> {
		const live = items.filter((w) => !this.#poisoned.has(leaseKey(w.lease)));
		const held = new Set<string>();
		if (live.length > 0) {
			const records = live.flatMap((w) => w.records.map((r) => ({ w, r })));
			const ending = live.filter((w) => w.outcome !== null);
			const o = (w: FencedWrite) => w.outcome as ActivationOutcome;
			const { rows } = await tx.query<{ iid: number | null; epoch: number | null; due: string | null }>(this.#sql, [
				live.map((w) => w.lease.ref),
				live.map((w) => w.lease.epoch),
				records.map(({ w }) => w.lease.ref),
				records.map(({ w }) => w.lease.epoch),
				records.map(({ r }) => r.seq),
				records.map(({ r }) => r.at),
				records.map(({ r }) => r.kind),
				records.map(({ r }) => r.key),
				records.map(({ r }) => toBuffer(r.data)),
				ending.map((w) => w.lease.ref),
				ending.map((w) => w.lease.epoch),
				ending.map((w) => o(w).kind),
				ending.map((w) => {
					const out = o(w);
					return out.kind === "complete" ? toBuffer(out.output) : null;
				}),
				ending.map((w) => {
					const out = o(w);
					return out.kind === "errored" || out.kind === "terminated" ? JSON.stringify(out.error) : null;
				}),
				ending.map((w) => {
					const out = o(w);
					return out.kind === "suspend" ? out.wakeAt : null;
				}),
				ending.map((w) => w.lease.signal),
				ending.map((w) => w.now),
				ending.map((w) => w.callerNow),
			]);
			for (const r of rows) {
				if (r.due !== null) tx.notify(r.due);
				else held.add(`${r.iid}:${r.epoch}`);
			}
			// A child that ended tells its parent in the same transaction (runChild): an event for it.
			for (const w of ending) {
				const out = o(w);
				if (out.kind !== "suspend" && out.notify && held.has(leaseKey(w.lease))) await this.#deliver(out.notify, w.now)(tx);
			}
		}
		return items.map((w) => (held.has(leaseKey(w.lease)) ? { ok: true, value: undefined } : { ok: false, error: new LeaseLostError() }));
	}

	failed(w: FencedWrite): void {
		this.#poisoned.add(leaseKey(w.lease));
	}
}

function leaseKey(l: Lease): string {
	return `${l.ref}:${l.epoch}`;
}

export interface Creation {
	items: NewInstance[];
	now: number | null;
}

/** Every createInstances of a batch in one INSERT; the first of two equal keys wins, as if they ran in order. */
export class Creations implements Coalesced<Creation, CreateOutcome[]> {
	readonly #insert: string;
	readonly #fork: string;

	constructor(s: string) {
		this.#insert = `
			INSERT INTO ${s}.instances (workflow, id, status, params, created_at, updated_at, wake_at, version, parent_workflow, parent_id)
			SELECT r.workflow, r.id, 'queued', r.params, n.t, n.t, n.t, r.version, r.parent_workflow, r.parent_id
			FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::text[], $6::text[], $7::text[]) AS r(workflow, id, params, now, version, parent_workflow, parent_id)
			CROSS JOIN LATERAL (SELECT coalesce(r.now, ${DB_NOW}) AS t) n
			ON CONFLICT (workflow, id) DO NOTHING
			RETURNING workflow, id, iid`;
		// A fork is born with a journal: signal 1 tells a claim there is one to read (see neverWritten).
		this.#fork = `
			WITH marked AS (UPDATE ${s}.instances SET signal = 1 WHERE iid = $1)
			INSERT INTO ${s}.journal (iid, generation, seq, at, kind, key, data)
			SELECT $1, 0, r.seq, r.at, r.kind, r.key, r.data
			FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bytea[]) AS r(seq, at, kind, key, data)`;
	}

	async runMany(tx: Tx, creations: Creation[]): Promise<Outcome<CreateOutcome[]>[]> {
		const seen = new Set<string>();
		const first: { c: Creation; it: NewInstance }[] = [];
		for (const c of creations) {
			for (const it of c.items) {
				const k = key(it.workflow, it.id);
				if (seen.has(k)) continue;
				seen.add(k);
				first.push({ c, it });
			}
		}
		const inserted = new Set<string>();
		if (first.length > 0) {
			const { rows } = await tx.query<{ workflow: string; id: string; iid: number }>(this.#insert, [
				first.map(({ it }) => it.workflow),
				first.map(({ it }) => it.id),
				first.map(({ it }) => toBuffer(it.params)),
				first.map(({ c }) => c.now),
				first.map(({ it }) => it.version ?? null),
				first.map(({ it }) => it.parent?.workflow ?? null),
				first.map(({ it }) => it.parent?.id ?? null),
			]);
			const iids = new Map<string, number>();
			for (const r of rows) {
				inserted.add(key(r.workflow, r.id));
				iids.set(key(r.workflow, r.id), r.iid);
				tx.notify(r.workflow);
			}
			for (const { it } of first) {
				const iid = iids.get(key(it.workflow, it.id));
				if (!it.journal?.length || iid === undefined) continue;
				const records = it.journal;
				await tx.query(this.#fork, [
					iid,
					records.map((_, i) => journalSeq(0, i + 1)),
					records.map((r) => r.at),
					records.map((r) => r.kind),
					records.map((r) => r.key),
					records.map((r) => toBuffer(r.data)),
				]);
			}
		}
		return creations.map((c) => ({
			ok: true,
			value: c.items.map((it): CreateOutcome => {
				const k = key(it.workflow, it.id);
				// Only the first item with a key can have inserted it.
				if (!inserted.delete(k)) return { ok: false, code: "instance.already_exists" };
				return { ok: true };
			}),
		}));
	}
}

function key(workflow: string, id: string): string {
	return `${workflow}\u0000${id}`;
}
