import { type Claimed, type ClaimSlot, type EventRecord, instanceRecordOf, neverWritten } from "@weft/core";
import type pg from "pg";
import { type InstanceRow, type JournalRow, nowOr, toJournalRecord } from "./instance-row.js";

interface ClaimedRow extends InstanceRow {
	slot: number;
	picked_prio: number;
	picked_wake_at: number;
	/** The row's status before the claim: "running" (or "waitingForPause") means its lease had expired: a takeover. */
	prior_status: string;
	db_now: number;
}

/**
 * Claims for every slot in one statement, committed on its own (not in the group commit): per
 * slot, woken instances (prio 0) oldest due first, then new ones (prio 1) for what is left of
 * its limit, each row locked with FOR UPDATE SKIP LOCKED so concurrent claimers take disjoint
 * rows and never wait. Each claimed row's epoch is bumped and it is leased until now + leaseMs.
 * The statement always returns one row at least, carrying the database's now.
 */
export function claimSql(s: string): string {
	const candidates = (prio: 0 | 1, limit: string) => `
		SELECT c.iid, s.slot, ${prio} AS prio, c.wake_at, c.status AS prior_status FROM slots s CROSS JOIN n CROSS JOIN LATERAL (
			SELECT iid, wake_at, status FROM ${s}.instances
			WHERE workflow = s.workflow AND prio = ${prio} AND wake_at IS NOT NULL AND wake_at <= n.t
			ORDER BY wake_at LIMIT ${limit}
			FOR UPDATE SKIP LOCKED
		) c`;
	return `
		WITH n AS (SELECT ${nowOr("$1")} AS t),
		slots AS (SELECT * FROM unnest($2::text[], $3::integer[]) WITH ORDINALITY AS s(workflow, lim, slot)),
		woken AS (${candidates(0, "s.lim")}),
		fresh AS (${candidates(1, "greatest(0, s.lim - (SELECT count(*) FROM woken w WHERE w.slot = s.slot))")}),
		picked AS (SELECT * FROM woken UNION ALL SELECT * FROM fresh),
		claimed AS (
			UPDATE ${s}.instances i SET
				epoch = i.epoch + 1,
				status = CASE i.status WHEN 'waitingForPause' THEN i.status ELSE 'running' END,
				started_at = coalesce(i.started_at, n.t), updated_at = n.t, wake_at = n.t + $4::bigint, prio = 0
			FROM picked p, n WHERE i.iid = p.iid
			RETURNING i.*, p.slot, p.prio AS picked_prio, p.wake_at AS picked_wake_at, p.prior_status
		)
		SELECT claimed.*, n.t AS db_now FROM n LEFT JOIN claimed ON true
		ORDER BY claimed.slot, claimed.picked_prio, claimed.picked_wake_at, claimed.iid`;
}

export async function claim(
	pool: pg.Pool,
	s: string,
	sql: string,
	args: { slots: ClaimSlot[]; now: number | null; leaseMs: number },
): Promise<{ claimed: Claimed[]; dbNow: number; takeovers: number }> {
	const { rows } = await pool.query<ClaimedRow>(sql, [args.now, args.slots.map((x) => x.workflow), args.slots.map((x) => x.limit), args.leaseMs]);
	const dbNow = rows[0]?.db_now as number;
	const got = rows.filter((r) => r.iid !== null);
	if (got.length === 0) return { claimed: [], dbNow, takeovers: 0 };
	const takeovers = got.filter((r) => r.prior_status === "running" || r.prior_status === "waitingForPause").length;
	// Read after the claim committed, in statements of their own: each sees everything committed
	// before it, including writes that the claim's row locks waited for.
	const needJournal = got.filter((r) => !neverWritten(r));
	const needEvents = got.filter((r) => r.signal !== 0);
	const [journal, events] = await Promise.all([
		needJournal.length === 0
			? { rows: [] as JournalRow[] }
			: pool.query<JournalRow>(
					`SELECT j.iid, j.seq, j.at, j.kind, j.key, j.data FROM ${s}.journal j
					 JOIN unnest($1::bigint[], $2::integer[]) AS l(iid, generation) ON j.iid = l.iid AND j.generation = l.generation
					 ORDER BY j.iid, j.seq`,
					[needJournal.map((r) => r.iid), needJournal.map((r) => r.generation)],
				),
		needEvents.length === 0
			? { rows: [] as (EventRecord & { iid: number })[] }
			: pool.query<EventRecord & { iid: number }>(`SELECT iid, seq, type, at, payload FROM ${s}.events WHERE iid = ANY($1::bigint[]) ORDER BY iid, seq`, [
					needEvents.map((r) => r.iid),
				]),
	]);
	const journalOf = groupBy(journal.rows, (r) => toJournalRecord(r));
	const eventsOf = groupBy(events.rows, (r) => ({ seq: r.seq, type: r.type, at: r.at, payload: r.payload }));
	return {
		dbNow,
		takeovers,
		claimed: got.map((r) => ({
			lease: { workflow: r.workflow, id: r.id, ref: r.iid, epoch: r.epoch, signal: r.signal },
			instance: instanceRecordOf(r),
			journal: journalOf.get(r.iid) ?? [],
			events: eventsOf.get(r.iid) ?? [],
		})),
	};
}

function groupBy<R extends { iid: number }, T>(rows: R[], map: (r: R) => T): Map<number, T[]> {
	const by = new Map<number, T[]>();
	for (const r of rows) {
		const list = by.get(r.iid);
		if (list) list.push(map(r));
		else by.set(r.iid, [map(r)]);
	}
	return by;
}
