// Cloudflare's WorkflowInstanceEvent stream (`instance.subscribe()`), derived from the journal — the
// same one the HTTP event stream serves: first the history, then live entries as they commit,
// ending after the instance's terminal event. Each event's `eventId` ("<journal seq>.<n>") is a
// cursor: subscribing again with it picks up right after it.
import type { Positioned } from "./journal.js";
import { toJsonValue } from "./serializer.js";
import { shownOutput } from "./step-config.js";
import type { InstanceRecord } from "./store.js";

export type WorkflowInstanceEventType =
	| "workflow_queued"
	| "workflow_started"
	| "workflow_completed"
	| "workflow_errored"
	| "workflow_terminated"
	| "step_started"
	| "step_completed"
	| "step_errored"
	| "attempt_started"
	| "attempt_completed"
	| "attempt_errored"
	| "sleep_started"
	| "wait_started"
	| "wait_completed"
	| "wait_timed_out"
	| "rollback_step_started"
	| "rollback_step_completed"
	| "rollback_step_errored";

export interface WorkflowInstanceEvent {
	type: WorkflowInstanceEventType;
	instanceId: string;
	eventId: string;
	timestamp: Date;
	[field: string]: unknown;
}

export interface SubscribeOptions {
	/** An `eventId` already seen: the stream starts right after it. */
	cursor?: string;
	/** Only these event types. */
	filter?: WorkflowInstanceEventType[];
}

/** The events the instance's creation and start stand for (before any journal entry). */
export function openingEvents(record: InstanceRecord, params: unknown): WorkflowInstanceEvent[] {
	const out: WorkflowInstanceEvent[] = [{ type: "workflow_queued", instanceId: record.id, eventId: "0.0", timestamp: new Date(record.createdAt) }];
	if (record.startedAt !== null)
		out.push({ type: "workflow_started", instanceId: record.id, eventId: "0.1", timestamp: new Date(record.startedAt), params: toJsonValue(params) });
	return out;
}

/** The events one journal entry stands for, in order. */
export function entryEvents(e: Positioned, instanceId: string, started: Set<string>): WorkflowInstanceEvent[] {
	const out: WorkflowInstanceEvent[] = [];
	const push = (type: WorkflowInstanceEventType, at: number, fields: Record<string, unknown> = {}) =>
		out.push({ type, instanceId, eventId: `${e.seq}.${out.length}`, timestamp: new Date(at), ...fields });
	switch (e.kind) {
		case "attempt": {
			const rollback = e.key.startsWith("rollback:");
			const stepName = e.name;
			if (!started.has(e.key)) {
				started.add(e.key);
				push(rollback ? "rollback_step_started" : "step_started", e.startedAt, { stepName, config: e.config });
			}
			push("attempt_started", e.startedAt, { stepName, attempt: e.attempt });
			if (e.ok) push("attempt_completed", e.endedAt, { stepName, attempt: e.attempt });
			else
				push("attempt_errored", e.endedAt, {
					stepName,
					attempt: e.attempt,
					error: { name: e.error?.name, message: e.error?.message },
					...(e.retryAt !== undefined ? { retryDelayMs: e.retryAt - e.endedAt } : {}),
				});
			if (e.final) {
				if (e.ok)
					push(
						rollback ? "rollback_step_completed" : "step_completed",
						e.endedAt,
						rollback ? { stepName } : { stepName, output: shownOutput(e.config, toJsonValue(e.value)) },
					);
				else push(rollback ? "rollback_step_errored" : "step_errored", e.endedAt, { stepName });
			}
			break;
		}
		case "sleep":
			push("sleep_started", e.startedAt, { stepName: e.name, durationMs: e.until - e.startedAt });
			break;
		case "wait":
			push("wait_started", e.startedAt, { stepName: e.name, eventType: e.type });
			break;
		case "event":
			push("wait_completed", e.at, { eventType: e.event.type });
			break;
		case "wait_timeout":
			push("wait_timed_out", e.at, { timeoutMs: e.timeoutMs });
			break;
		case "finished":
			if (e.status === "complete") push("workflow_completed", e.at);
			else if (e.status === "errored") push("workflow_errored", e.at, { error: { name: e.error?.name, message: e.error?.message } });
			else push("workflow_terminated", e.at);
			break;
		default:
			break;
	}
	return out;
}

/** Whether `eventId` comes after `cursor` ("<seq>.<n>" compared as numbers). */
export function isAfter(eventId: string, cursor: string | undefined): boolean {
	if (cursor === undefined) return true;
	const [s, n] = eventId.split(".").map(Number) as [number, number];
	const [cs, cn] = cursor.split(".").map(Number) as [number, number];
	return s > cs || (s === cs && n > cn);
}
