// The instances row both SQL stores keep (the same columns in SQLite and PostgreSQL; see their
// migrations), and the InstanceRecord the engine reads from it. Stores differ only in how a
// driver hands back a boolean.
import type { ErrorRecord } from "./errors.js";
import type { InstanceRecord, InstanceStatusName } from "./store.js";

export interface InstanceRowColumns {
	iid: number;
	workflow: string;
	id: string;
	status: InstanceStatusName;
	params: Uint8Array;
	output: Uint8Array | null;
	/** ErrorRecord as JSON. */
	error: string | null;
	created_at: number;
	started_at: number | null;
	ended_at: number | null;
	updated_at: number;
	generation: number;
	epoch: number;
	wake_at: number | null;
	signal: number;
	/** 0/1 from SQLite, a boolean from PostgreSQL. */
	pause_requested: number | boolean;
	paused_at: number | null;
	version: string | null;
	parent_workflow: string | null;
	parent_id: string | null;
}

export function instanceRecordOf(r: InstanceRowColumns): InstanceRecord {
	return {
		workflow: r.workflow,
		id: r.id,
		status: r.status,
		params: r.params,
		output: r.output,
		error: r.error ? (JSON.parse(r.error) as ErrorRecord) : null,
		createdAt: r.created_at,
		startedAt: r.started_at,
		endedAt: r.ended_at,
		updatedAt: r.updated_at,
		generation: r.generation,
		pauseRequested: r.pause_requested === true || r.pause_requested === 1,
		pausedAt: r.paused_at,
		wakeAt: r.wake_at,
		version: r.version,
		parent: r.parent_id === null ? null : { workflow: r.parent_workflow as string, id: r.parent_id },
	};
}

/** True when an instance cannot have a journal yet: never claimed, restarted, resumed or forked. */
export function neverWritten(r: Pick<InstanceRowColumns, "started_at" | "generation" | "signal">): boolean {
	return r.started_at === null && r.generation === 0 && r.signal === 0;
}
