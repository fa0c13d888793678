import type { ErrorRecord, InstanceRecord, InstanceStatusName, JournalRecord } from "@weft/core";
import pg from "pg";

/** The database's clock in ms since the Unix epoch, fixed for the duration of one statement. */
export const DB_NOW = "floor(extract(epoch from statement_timestamp()) * 1000)::bigint";

/** `now` for a statement: the caller's (a bigint parameter) or, when it is NULL, the database's. */
export function nowOr(param: string): string {
	return `coalesce(${param}::bigint, ${DB_NOW})`;
}

export const TERMINAL_SQL = "('complete', 'errored', 'terminated')";

/** An instances row, as the driver returns it (bigint columns parsed as numbers, see pgTypes). */
export interface InstanceRow {
	iid: number;
	workflow: string;
	id: string;
	status: InstanceStatusName;
	params: Buffer;
	output: Buffer | null;
	error: string | null;
	created_at: number;
	started_at: number | null;
	ended_at: number | null;
	updated_at: number;
	generation: number;
	epoch: number;
	wake_at: number | null;
	prio: number;
	signal: number;
	pause_requested: boolean;
	paused_at: number | null;
	version: string | null;
	parent_workflow: string | null;
	parent_id: string | null;
}

export function toRecord(r: InstanceRow): InstanceRecord {
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
		pauseRequested: r.pause_requested,
		pausedAt: r.paused_at,
		wakeAt: r.wake_at,
		version: r.version,
		parent: r.parent_id === null ? null : { workflow: r.parent_workflow as string, id: r.parent_id },
	};
}

export interface JournalRow extends JournalRecord {
	iid: number;
}

export function toJournalRecord(r: JournalRow): JournalRecord {
	return { seq: r.seq, at: r.at, kind: r.kind, key: r.key, data: r.data };
}

/** True when an instance cannot have a journal yet: never claimed, restarted or resumed. */
export function neverWritten(r: InstanceRow): boolean {
	return r.started_at === null && r.generation === 0 && r.signal === 0;
}

const INT8 = 20;

/**
 * Type parsers for this store's connections: bigint columns (times in ms, epochs, seqs, counts)
 * come back as numbers. Every value stored fits in 2^53: times are ms since 1970, seqs are
 * epoch · 2^20 + n with epochs far below 2^33.
 */
export const pgTypes: pg.CustomTypesConfig = {
	getTypeParser: ((oid: number, format?: "text" | "binary") =>
		oid === INT8 && format !== "binary" ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A Uint8Array as a Buffer without copying (the driver encodes Buffers as bytea). */
export function toBuffer(u: Uint8Array): Buffer {
	return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** A schema or channel name, double-quoted; only plain identifiers are accepted. */
export function quoteIdent(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
		throw new TypeError(`"${name}" is not a plain SQL identifier: use letters, digits and underscores (at most 63), not starting with a digit`);
	return `"${name}"`;
}
