// The Store port: what the engine asks of a database, named after what the engine wants. Every
// method is atomic. Writes made for an activation carry its Lease and are rejected with a
// LeaseLostError when the instance's epoch has moved on. No connection, transaction or SQL
// type crosses this port; time is passed in (`now`) so stores never read a clock of their own.
import type { ErrorRecord } from "./errors.js";

/**
 * Cloudflare's status values. `rollingBack` is never stored: the instance detail (Cloudflare's REST
 * view) shows it while a rollback chain runs; `status()` shows `running` then, as the Workers API does.
 */
export type InstanceStatusName =
	| "queued"
	| "running"
	| "paused"
	| "errored"
	| "terminated"
	| "complete"
	| "waiting"
	| "waitingForPause"
	| "rollingBack"
	| "unknown";

export const TERMINAL_STATUSES: ReadonlySet<InstanceStatusName> = new Set(["complete", "errored", "terminated"]);

export interface InstanceKey {
	workflow: string;
	id: string;
}

export interface InstanceRecord extends InstanceKey {
	status: InstanceStatusName;
	params: Uint8Array;
	/** Encoded output of `run()`, once complete. */
	output: Uint8Array | null;
	error: ErrorRecord | null;
	createdAt: number;
	startedAt: number | null;
	endedAt: number | null;
	updatedAt: number;
	/** Bumped by restart(); the journal of the current generation is the one replayed. */
	generation: number;
	pauseRequested: boolean;
	pausedAt: number | null;
	wakeAt: number | null;
	/** The version of the workflow code that created the instance (docs/replay.md#versions). */
	version: string | null;
	/** The instance that started this one as its child (`runChild`), told when this one ends. */
	parent: InstanceKey | null;
}

/**
 * One journal record as stored: the engine encodes `data`; records are ordered by `seq`. Every
 * writer of an instance's journal writes under its own epoch (an activation under its claim's,
 * a management call under the epoch it bumps), and numbers its records within that epoch:
 * seq = epoch · 2^20 + n. So seqs never collide, need no counter in the database, and sort in
 * the order the records were written.
 */
export interface JournalRecord {
	seq: number;
	at: number;
	kind: string;
	key: string | null;
	data: Uint8Array;
}

export type NewJournalRecord = Omit<JournalRecord, "seq">;

/** Records a writer may number within one epoch. */
export const SEQS_PER_EPOCH = 2 ** 20;

export function journalSeq(epoch: number, n: number): number {
	return epoch * SEQS_PER_EPOCH + n;
}

export interface EventRecord {
	seq: number;
	type: string;
	at: number;
	payload: Uint8Array;
}

/** Proof of a claim. `ref` is the store's own handle for the instance; the engine never reads it. */
export interface Lease extends InstanceKey {
	ref: number;
	epoch: number;
	/** The instance's signal counter when claimed: a sendEvent/resume since then means "wake again". */
	signal: number;
}

export interface Claimed {
	lease: Lease;
	instance: InstanceRecord;
	journal: JournalRecord[];
	events: EventRecord[];
}

/** How many instances of a workflow one claim may take. */
export interface ClaimSlot {
	workflow: string;
	limit: number;
}

export interface NewInstance extends InstanceKey {
	params: Uint8Array;
	/** The version of the workflow code creating it. */
	version?: string | null;
	/** The instance starting it as a child: when this one ends, the store delivers `ChildNotice` events to it. */
	parent?: InstanceKey | null;
	/**
	 * A journal the instance starts with (a fork): written as the instance's own, under epoch 0,
	 * numbered in order (seq = journalSeq(0, n)).
	 */
	journal?: NewJournalRecord[];
}

/** Where a listing page ends: the last row's creation time and id. */
export interface ListPosition {
	createdAt: number;
	id: string;
}

export interface ListInstancesQuery {
	workflow: string;
	limit: number;
	after?: ListPosition;
	status?: InstanceStatusName;
	/** Inclusive lower and exclusive upper bounds on creation time (ms). */
	createdFrom?: number;
	createdBefore?: number;
	/** Only instances created by this version of the workflow code. */
	version?: string;
}

export type CreateOutcome = { ok: true } | { ok: false; code: "instance.already_exists" };

/**
 * The event a child's end delivers to its parent, in the same transaction as that end: so a
 * parent waiting on a child can never miss it (`runChild`).
 */
export interface ChildNotice {
	parent: InstanceKey;
	type: string;
	payload: Uint8Array;
}

/** How an activation ends. */
export type ActivationOutcome =
	| { kind: "complete"; output: Uint8Array; notify?: ChildNotice }
	| { kind: "errored"; error: ErrorRecord; notify?: ChildNotice }
	/** Terminated after its rollback chain ran (`terminate({ rollback: true })`); `error.rollback` says how it went. */
	| { kind: "terminated"; error: ErrorRecord; notify?: ChildNotice }
	/** Waiting on timers/events (or held by a pause): wake at `wakeAt`, or now if signalled meanwhile. */
	| { kind: "suspend"; wakeAt: number | null };

export type ControlOutcome = "ok" | "not_found" | "finished";

/** What a store reports about its own work, for metrics (see Store.observe). Must be cheap and never throw. */
export interface StoreObserver {
	/** A group commit: the writes it carried and how long its transaction took, in seconds. */
	committed?(writes: number, seconds: number): void;
	/** A write refused because its lease's epoch had moved on (fencing). */
	staleWriteRejected?(): void;
	/** Instances taken over from a holder that stopped renewing its lease (expired, or a previous process's). */
	leaseTakeovers?(count: number): void;
}

/** A workflow's queue: instances due now and not claimed (new, woken, or with an expired lease). */
export interface QueueStats {
	workflow: string;
	depth: number;
	/** The earliest due time among them (ms, in the caller's clock), or null when the queue is empty. */
	oldestDueAt: number | null;
}

/** Instances of a workflow that finished within one second (`second`: ms since the epoch / 1000, floored). */
export interface FinishCount {
	workflow: string;
	second: number;
	complete: number;
	errored: number;
}

export interface Store {
	/** Inserts instances as `queued` and due now; each item succeeds or fails on its own. */
	createInstances(items: NewInstance[], now: number): Promise<CreateOutcome[]>;
	getInstance(key: InstanceKey): Promise<InstanceRecord | null>;
	/** The current generation's journal, in order; only records after `afterSeq` when given. */
	readJournal(key: InstanceKey, afterSeq?: number): Promise<JournalRecord[]>;
	/**
	 * A page of a workflow's instances, newest first (by creation, then id), after an opaque
	 * position; filters by status and creation time. Uses an index: no OFFSET scan.
	 */
	listInstances(query: ListInstancesQuery): Promise<{ instances: InstanceRecord[]; next: ListPosition | null }>;
	/** How many instances each workflow has in each status. */
	countByStatus(): Promise<{ workflow: string; status: InstanceStatusName; count: number }[]>;
	readEvents(key: InstanceKey): Promise<EventRecord[]>;

	/**
	 * Claims, for each slot, up to `limit` due instances of that workflow: woken ones (timer,
	 * event, resume, expired lease) before new ones, each group oldest due first. Bumps each
	 * epoch, marks it running, leases it until now + leaseMs, and returns what an activation needs
	 * to replay it.
	 */
	claimActivations(args: { slots: ClaimSlot[]; now: number; leaseMs: number }): Promise<Claimed[]>;
	/** Appends journal records under a lease (numbered by the activation, see JournalRecord). */
	appendJournal(lease: Lease, records: JournalRecord[]): Promise<void>;
	/** Appends the last records and ends the activation in one write; releases the lease. */
	completeActivation(lease: Lease, records: JournalRecord[], outcome: ActivationOutcome, now: number): Promise<void>;
	/** Extends leases still held; returns those that were lost. */
	renewLeases(leases: Lease[], now: number, leaseMs: number): Promise<Lease[]>;
	/** Makes every lease claimable again (embedded mode: the process that held them is gone). */
	releaseAllLeases(now: number): Promise<void>;
	/**
	 * Hands these leases back, if still held (same epoch): a running instance is due at once for
	 * any worker, one waiting for its pause becomes paused. A worker that stops calls it for the
	 * activations it abandons, so they move on now rather than when their leases expire.
	 */
	releaseLeases(leases: Lease[], now: number): Promise<void>;
	/** The earliest due time among these workflows' instances (unclaimed, or leased until), or null. */
	nextWakeAt(workflows: string[]): Promise<number | null>;

	/** Buffers an event and wakes the instance if it is waiting. */
	sendEvent(key: InstanceKey, type: string, payload: Uint8Array, now: number): Promise<ControlOutcome>;
	/** Requests a pause; `stepInFlight` decides between paused and waitingForPause. */
	pause(key: InstanceKey, now: number, stepInFlight: boolean): Promise<ControlOutcome>;
	/**
	 * Clears a pause: the instance is due again and its pending timers shift by the pause
	 * (`resumed` record). Bumps the epoch, so an activation still finishing its last step is
	 * fenced and the instance replays from the journal.
	 */
	resume(key: InstanceKey, now: number, resumedRecord: (pausedMs: number) => NewJournalRecord): Promise<ControlOutcome>;
	/** Ends a non-terminal instance as terminated and fences any live activation; delivers `notify` to its parent. */
	terminate(key: InstanceKey, now: number, record: NewJournalRecord, notify?: ChildNotice): Promise<ControlOutcome>;
	/** The children (instances created with `parent: key`) that have not ended. */
	childrenOf(key: InstanceKey): Promise<InstanceKey[]>;
	/**
	 * Deletes instances with their journals and events, whatever their state; a live activation's
	 * next write finds no row and is refused as lost. Each key answers on its own.
	 */
	deleteInstances(keys: InstanceKey[]): Promise<("ok" | "not_found")[]>;
	/** Deletes up to `limit` of a workflow's instances in these (terminal) statuses that ended before `endedBefore`; returns how many. */
	purgeInstances(query: { workflow: string; statuses: InstanceStatusName[]; endedBefore: number; limit: number }): Promise<number>;
	/**
	 * Starts a new generation: keeps the records before `fromKey` (none if null), deletes the
	 * events `consumed` (their seqs: the old run took them; a kept wait has its event in the
	 * journal), fences any live activation, and queues the instance. "step_not_found" when
	 * `fromKey` is not in the journal.
	 */
	restart(key: InstanceKey, fromKey: string | null, now: number, consumed?: number[]): Promise<ControlOutcome | "step_not_found">;

	/**
	 * Optional: calls `listener` when an instance of a workflow becomes due now in another process
	 * (null: anything may be due, e.g. after a reconnect). A store shared by several processes
	 * implements it so idle workers wake at once; the engine still polls as a backstop.
	 */
	onWake?(listener: (workflow: string | null) => void): () => void;

	/** Optional: reports commits, stale writes and lease takeovers to `observer` from now on (one observer per store). */
	observe?(observer: StoreObserver): void;

	/** Optional: each workflow's queue of due, unclaimed instances, read from the due-time index. */
	queueStats?(workflows: string[], now: number): Promise<QueueStats[]>;

	/**
	 * Optional, for stores shared by several processes: takes the named role for `holder` until
	 * now + ttlMs when it is free, expired or already held by `holder` (a renewal), and answers
	 * whether `holder` holds it now. `ttlMs` 0 hands a held role back. A store used by one
	 * process at a time does not implement it: that process always holds every role.
	 */
	holdRole?(role: string, holder: string, ttlMs: number, now: number): Promise<boolean>;

	/**
	 * Optional, for stores shared by several processes: a tally of finished instances per
	 * workflow and second, kept in the database so that every process's finishes count
	 * (errorRate alerts). `addFinishCounts` adds to it; `sumFinishCounts` sums the seconds from
	 * `from` on; `deleteFinishCounts` drops the seconds before `before`. Times are ms in the
	 * caller's clock. The three come together or not at all.
	 */
	addFinishCounts?(counts: FinishCount[]): Promise<void>;
	sumFinishCounts?(workflows: string[], from: number): Promise<{ finished: number; errored: number }>;
	deleteFinishCounts?(before: number): Promise<void>;

	close(): Promise<void>;
}
