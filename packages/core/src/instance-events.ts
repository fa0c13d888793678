// Cloudflare's WorkflowInstanceEvent stream (`instance.subscribe()`), derived from the current
// generation's journal: first the history, then live entries as they commit, ending after the
// instance's terminal event. Events are numbered 1, 2, 3… in the order this log derives them, and
// the derivation only ever appends (an entry's events depend on it and the entries before it), so
// the same event gets the same `eventId` on every subscribe; a restart starts a new generation,
// numbered from 1 again.
import type { Positioned } from "./journal.js";
import { toJsonValue } from "./serializer.js";
import { shownOutput } from "./step-config.js";
import { isStoredStream, toReadableStream } from "./step-stream.js";
import type { InstanceRecord } from "./store.js";

export const WORKFLOW_INSTANCE_EVENT_TYPES = [
	"workflow_queued",
	"workflow_started",
	"workflow_running",
	"workflow_completed",
	"workflow_errored",
	"workflow_terminated",
	"step_started",
	"step_completed",
	"step_errored",
	"attempt_started",
	"attempt_completed",
	"attempt_errored",
	"sleep_started",
	"sleep_completed",
	"wait_started",
	"wait_completed",
	"wait_timed_out",
	"rollback_started",
	"rollback_step_started",
	"rollback_attempt_started",
	"rollback_attempt_completed",
	"rollback_attempt_errored",
	"rollback_step_completed",
	"rollback_step_errored",
	"rollback_completed",
	"rollback_errored",
] as const;

export type WorkflowInstanceEventType = (typeof WORKFLOW_INSTANCE_EVENT_TYPES)[number];

export interface WorkflowInstanceEvent {
	type: WorkflowInstanceEventType;
	instanceId: string;
	/** 1, 2, 3… within the instance's current run (a restart numbers from 1 again). */
	eventId: number;
	/** ms since the epoch. */
	timestamp: number;
	[field: string]: unknown;
}

export interface SubscribeOptions {
	/** An `eventId` already seen (or its decimal string): the stream starts right after it. */
	cursor?: number | string;
	/** Only these event types. */
	filter?: WorkflowInstanceEventType[];
}

/** Cloudflare's step name in events: `"<name>-<count>"`, from a journal key (`do:charge#2` → `charge-2`). */
function stepNameOf(key: string): string {
	const hash = key.lastIndexOf("#");
	return `${key.slice(key.indexOf(":") + 1, hash)}-${key.slice(hash + 1)}`;
}

const plainError = (e: { name?: string; message?: string } | undefined) => ({ name: e?.name, message: e?.message });

/**
 * The events of one generation of an instance, numbered as they are derived. Feed it `queued`,
 * then `started` (once the run has started), then every journal entry in order.
 */
export class InstanceEventLog {
	readonly #instanceId: string;
	#nextId = 1;
	/** Steps (and rollback handlers) whose `*_started` event has been derived. */
	readonly #started = new Set<string>();
	/** Sleeps not yet known to be over: their due time, moved by pauses that began after them. */
	readonly #sleeps = new Map<string, { until: number; shiftAt: number }>();
	#shift = 0;
	#rollback: "none" | "running" | "failed" = "none";

	constructor(instanceId: string) {
		this.#instanceId = instanceId;
	}

	#event(type: WorkflowInstanceEventType, at: number, fields: Record<string, unknown> = {}): WorkflowInstanceEvent {
		return { type, instanceId: this.#instanceId, eventId: this.#nextId++, timestamp: at, ...fields };
	}

	queued(record: InstanceRecord): WorkflowInstanceEvent {
		return this.#event("workflow_queued", record.createdAt);
	}

	started(startedAt: number, params: unknown): WorkflowInstanceEvent[] {
		return [this.#event("workflow_started", startedAt, { params: toJsonValue(params) }), this.#event("workflow_running", startedAt)];
	}

	/** The events one journal entry stands for, in order. `workflow_completed.output` is left for the caller (it is on the instance row). */
	entry(e: Positioned): WorkflowInstanceEvent[] {
		// A pause moves the sleeps set before it; what it says about them is known only once shifted.
		if (e.kind === "resumed") {
			this.#shift += e.pausedMs;
			return [];
		}
		// A sleep is over once anything is journaled at or after its due time: the journal has no
		// record of a timer firing, but nothing runs past a sleep before it is due.
		const out = this.#sleepsOverBy(e.at);
		const push = (type: WorkflowInstanceEventType, at: number, fields?: Record<string, unknown>) => out.push(this.#event(type, at, fields));
		switch (e.kind) {
			case "attempt": {
				const rollback = e.key.startsWith("rollback:");
				const stepName = `${e.name}-${e.count}`;
				if (rollback && this.#rollback === "none") {
					this.#rollback = "running";
					push("rollback_started", e.startedAt);
				}
				const t = (type: string) => `${rollback ? "rollback_" : ""}${type}` as WorkflowInstanceEventType;
				if (!this.#started.has(e.key)) {
					this.#started.add(e.key);
					push(t("step_started"), e.startedAt, { stepName, config: e.config });
				}
				push(t("attempt_started"), e.startedAt, { stepName, attempt: e.attempt });
				if (e.ok) push(t("attempt_completed"), e.endedAt, { stepName, attempt: e.attempt });
				else
					push(t("attempt_errored"), e.endedAt, {
						stepName,
						attempt: e.attempt,
						error: plainError(e.error),
						// Absent on the last attempt, as on Cloudflare.
						...(e.retryAt !== undefined ? { retryDelayMs: e.retryAt - e.endedAt } : {}),
					});
				if (!e.final) break;
				if (rollback) {
					if (e.ok) push("rollback_step_completed", e.endedAt, { stepName });
					else {
						this.#rollback = "failed";
						push("rollback_step_errored", e.endedAt, { stepName, error: undefined });
					}
				} else if (e.ok) push("step_completed", e.endedAt, { stepName, output: stepOutput(e.config, e.value) });
				else push("step_errored", e.endedAt, { stepName });
				break;
			}
			case "sleep":
				this.#sleeps.set(e.key, { until: e.until, shiftAt: this.#shift });
				push("sleep_started", e.startedAt, { stepName: stepNameOf(e.key), durationMs: e.until - e.startedAt });
				break;
			case "wait":
				push("wait_started", e.startedAt, { stepName: stepNameOf(e.key), eventType: e.type });
				break;
			case "event":
				push("wait_completed", e.at, { stepName: stepNameOf(e.key) });
				break;
			case "wait_timeout":
				push("wait_timed_out", e.at, { stepName: stepNameOf(e.key), timeoutMs: e.timeoutMs });
				break;
			case "finished": {
				// The chain ends in the write that ends the instance; its outcome is on the error.
				const outcome = (e.error as { rollback?: { outcome?: string } } | undefined)?.rollback?.outcome;
				if (this.#rollback === "none" && outcome !== undefined) push("rollback_started", e.at);
				if (this.#rollback !== "none" || outcome !== undefined)
					push(outcome === "failed" || (outcome === undefined && this.#rollback === "failed") ? "rollback_errored" : "rollback_completed", e.at);
				if (e.status === "complete") push("workflow_completed", e.at, { output: null });
				else if (e.status === "errored") push("workflow_errored", e.at, { error: plainError(e.error) });
				else push("workflow_terminated", e.at);
				break;
			}
			default:
				break;
		}
		return out;
	}

	#sleepsOverBy(at: number): WorkflowInstanceEvent[] {
		const out: WorkflowInstanceEvent[] = [];
		for (const [key, s] of this.#sleeps) {
			const due = s.until + (this.#shift - s.shiftAt);
			if (due > at) continue;
			this.#sleeps.delete(key);
			out.push(this.#event("sleep_completed", due, { stepName: stepNameOf(key) }));
		}
		return out;
	}
}

/** A step's output as an event shows it: a returned stream as a new stream over its bytes. */
function stepOutput(config: Parameters<typeof shownOutput>[0], value: unknown): unknown {
	if (isStoredStream(value)) return toReadableStream(value);
	return shownOutput(config, toJsonValue(value));
}
