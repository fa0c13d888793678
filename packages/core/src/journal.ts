// The journal entries an activation writes, and the view of a journal that replay reads.
// Keys follow Cloudflare's cache keys: the step's kind, its name and the n-th use of that name
// in this run ("do:charge#2"), so the same code reaches the same records on every replay.
import type { LogLine } from "./attempt-logs.js";
import type { ErrorRecord } from "./errors.js";
import type { Serializer } from "./serializer.js";
import type { ResolvedStepConfig } from "./step-config.js";
import type { JournalRecord } from "./store.js";

export type StepKind = "do" | "sleep" | "waitForEvent";

export function stepKey(kind: StepKind, name: string, count: number): string {
	return `${kind}:${name}#${count}`;
}

export interface AttemptEntry {
	kind: "attempt";
	key: string;
	name: string;
	count: number;
	attempt: number;
	config: ResolvedStepConfig;
	startedAt: number;
	endedAt: number;
	ok: boolean;
	value?: unknown;
	error?: ErrorRecord;
	/** The step's outcome is settled: this value or this error (or stepError) is what every replay sees. */
	final: boolean;
	/**
	 * The error the step fails with when it is not the attempt's own: the step's retries.delay
	 * function failed after this attempt (a NonRetryableDelayError). `error` stays the attempt's.
	 */
	stepError?: ErrorRecord;
	/** When the next attempt may start (a failed attempt with retries left). */
	retryAt?: number;
	/** What the body printed (console capture), bounded; absent when nothing was (and in entries older than capture). */
	logs?: LogLine[];
}
export interface SleepEntry {
	kind: "sleep";
	key: string;
	name: string;
	startedAt: number;
	until: number;
}
export interface WaitEntry {
	kind: "wait";
	key: string;
	name: string;
	type: string;
	startedAt: number;
	timeoutAt: number;
}
export interface EventEntry {
	kind: "event";
	key: string;
	eventSeq: number;
	event: { payload: unknown; timestamp: Date; type: string };
}
export interface WaitTimeoutEntry {
	kind: "wait_timeout";
	key: string;
	timeoutMs: number;
}
export interface ResumedEntry {
	kind: "resumed";
	pausedMs: number;
}
export interface FinishedEntry {
	kind: "finished";
	status: "complete" | "errored" | "terminated";
	error?: ErrorRecord;
}
/** The code parted from the journal and the workflow's policy is to hold it (paused) rather than run on. */
export interface DivergedEntry {
	kind: "diverged";
	key: string;
	message: string;
}
/** An activation ran under another version of the workflow code than the one before it. */
export interface VersionEntry {
	kind: "version";
	version: string;
}
export type JournalEntry = AttemptEntry | SleepEntry | WaitEntry | EventEntry | WaitTimeoutEntry | ResumedEntry | FinishedEntry | DivergedEntry | VersionEntry;

/** A journal entry with its position and commit time. */
export type Positioned<E extends JournalEntry = JournalEntry> = E & { seq: number; at: number };

export function decodeJournal(records: JournalRecord[], serializer: Serializer): Positioned[] {
	return records.map((r) => ({ ...(serializer.decode(r.data) as JournalEntry), seq: r.seq, at: r.at }));
}

interface Due {
	due: number;
	/** Total pause shift already applied when the due time was written. */
	shiftAt: number;
}

/**
 * What replay needs from a journal: settled steps, pending timers (with the time the instance
 * spent paused since each was set added to it) and the events already consumed.
 */
export class JournalView {
	readonly attempts = new Map<string, AttemptEntry[]>();
	readonly finals = new Map<string, AttemptEntry>();
	readonly sleeps = new Map<string, SleepEntry & Due>();
	readonly waits = new Map<string, WaitEntry & Due>();
	readonly received = new Map<string, EventEntry>();
	readonly timedOut = new Map<string, WaitTimeoutEntry>();
	readonly retries = new Map<string, Due>();
	readonly consumedEvents = new Set<number>();
	#shift = 0;

	constructor(entries: Iterable<JournalEntry>) {
		for (const e of entries) this.add(e);
	}

	add(e: JournalEntry): void {
		switch (e.kind) {
			case "attempt": {
				const list = this.attempts.get(e.key) ?? [];
				list.push(e);
				this.attempts.set(e.key, list);
				if (e.final) this.finals.set(e.key, e);
				if (e.retryAt !== undefined) this.retries.set(e.key, { due: e.retryAt, shiftAt: this.#shift });
				break;
			}
			case "sleep":
				this.sleeps.set(e.key, { ...e, due: e.until, shiftAt: this.#shift });
				break;
			case "wait":
				this.waits.set(e.key, { ...e, due: e.timeoutAt, shiftAt: this.#shift });
				break;
			case "event":
				this.received.set(e.key, e);
				this.consumedEvents.add(e.eventSeq);
				break;
			case "wait_timeout":
				this.timedOut.set(e.key, e);
				break;
			case "resumed":
				this.#shift += e.pausedMs;
				break;
			case "finished":
			case "diverged":
			case "version":
				break;
		}
	}

	/** True when the journal holds anything of this step. */
	knows(key: string): boolean {
		return this.attempts.has(key) || this.sleeps.has(key) || this.waits.has(key);
	}

	/** A due time moved later by every pause that began after it was set. */
	effective(d: Due): number {
		return d.due + (this.#shift - d.shiftAt);
	}
}
