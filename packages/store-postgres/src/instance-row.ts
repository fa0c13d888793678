import type { InstanceRowColumns, JournalRecord } from "@weft/core";
import pg from "pg";

/** The database's clock in ms since the Unix epoch, fixed for the duration of one statement. */
export const DB_NOW = "floor(extract(epoch from statement_timestamp()) * 1000)::bigint";

/** `now` for a statement: the caller's (a bigint parameter) or, when it is NULL, the database's. */
export function nowOr(param: string): string {
	return `coalesce(${param}::bigint, ${DB_NOW})`;
}

export const TERMINAL_SQL = "('complete', 'errored', 'terminated')";

/** An instances row, as the driver returns it (bigint columns parsed as numbers, see pgTypes). */
export interface InstanceRow extends InstanceRowColumns {
	params: Buffer;
	output: Buffer | null;
	prio: number;
	pause_requested: boolean;
}

export interface JournalRow extends JournalRecord {
	iid: number;
}

export function toJournalRecord(r: JournalRow): JournalRecord {
	return { seq: r.seq, at: r.at, kind: r.kind, key: r.key, data: r.data };
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
