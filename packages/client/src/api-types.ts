// The HTTP API's wire shapes: what the server sends and the client receives. The server is
// type-checked against these, so the two cannot drift apart silently.
import type {
	InstanceDetails as EngineInstanceDetails,
	InstanceStatus,
	InstanceStatusName,
	InstanceSummary,
	ListInstancesOptions,
	TimelineItem,
} from "@weft/core";

export type { History } from "@weft/core";
export type { InstanceStatus, InstanceStatusName, InstanceSummary };

/** Every error answer: a stable `code` (the engine's, or the server's own) and a message for people. */
export interface ApiErrorBody {
	error: { code: string; message: string };
}

export interface Health {
	status: "ok";
	workflows: number;
	/** Activations running in this process right now. */
	activeActivations: number;
}

export interface Retention {
	success_retention?: string | number;
	error_retention?: string | number;
}

export interface WorkflowSummary {
	name: string;
	binding: string;
	/** The exported class, when the server was started from a project config. */
	className: string | null;
	/** Instance counts by status (statuses with no instance are left out). */
	instances: Partial<Record<InstanceStatusName, number>>;
	/** The workflow's cron schedules (UTC); empty when it has none. */
	schedules: WorkflowScheduleInfo[];
}

/** One cron schedule of a workflow: each firing creates one instance. */
export interface WorkflowScheduleInfo {
	cron: string;
	/** The next firing, ISO 8601 in UTC; null if the cron never fires again. */
	next: string | null;
	/** Firings skipped while no process ran (the latest of them ran once at start); left out when none. */
	missed?: number;
}

export interface WorkflowDescription extends WorkflowSummary {
	/** The module that exports the class, relative to the project. */
	module: string | null;
	concurrency: { limit: number } | null;
	/** Stored and shown; the engine does not delete old instances yet. */
	retention: Retention | null;
}

export interface InstancePage {
	instances: InstanceSummary[];
	/** Pass it back as `cursor` for the next page; null on the last page. */
	cursor: string | null;
}

/** The listing's query parameters: the engine's own listing options. */
export type ListInstancesQuery = ListInstancesOptions;

export interface CreatedInstance {
	id: string;
	workflow: string;
	status: InstanceStatusName;
}

export interface BatchError {
	index: number;
	id?: string;
	/** Cloudflare's numeric code (10405 already exists, 10415 duplicate in batch). */
	code: number;
	message: string;
}

export interface BatchResult {
	created: CreatedInstance[];
	errors: BatchError[];
}

/**
 * A timeline item as the API sends it: the engine's, with `count` on every step, sleep and wait
 * so that each can be named as Cloudflare names it, `<name>-<count>`.
 */
export type ApiTimelineItem =
	Exclude<TimelineItem, { type: "termination" }> extends infer T ? (T extends { type: string } ? T & { count: number } : never) : never;

export interface InstanceDetails extends Omit<EngineInstanceDetails, "steps"> {
	steps: (ApiTimelineItem | Extract<TimelineItem, { type: "termination" }>)[];
}

export type StatusAction = "pause" | "resume" | "terminate" | "restart";

/** `POST …/instances/:id/fork`: the original's params (or these) and its journal before `from` (nothing without it). */
export interface ForkRequest {
	from?: RestartFrom;
	params?: unknown;
	id?: string;
}

export interface RestartFrom {
	name: string;
	count?: number;
	type?: "do" | "sleep" | "waitForEvent";
}

export interface StatusChange {
	id: string;
	/** The instance's status once the action was applied. */
	status: InstanceStatusName;
	timestamp: string;
}

export interface EventSent {
	instanceId: string;
	type: string;
	timestamp: string;
}

/**
 * One journal entry as the event stream sends it: the decoded entry JSON-ified, with its `seq`
 * (also the SSE id, the cursor to resume after) and `at`, the commit time in epoch ms.
 */
export interface JournalEvent {
	seq: number;
	at: number;
	kind: "attempt" | "sleep" | "wait" | "event" | "wait_timeout" | "resumed" | "finished";
	[field: string]: unknown;
}

/** The stream's last message: the instance reached a terminal status. */
export interface StreamEnd {
	status: InstanceStatusName;
}
