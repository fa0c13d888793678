// An instance's journal as one self-contained, versioned JSON document (docs/history-format.md):
// what `exportHistory` writes and `replayHistory` reads. Values go through the tagged JSON form,
// so a Date or a Map in a step result survives the trip.
import { ValidationError } from "./errors.js";
import { decodeJournal, type JournalEntry } from "./journal.js";
import type { Serializer } from "./serializer.js";
import type { InstanceRecord, InstanceStatusName, JournalRecord } from "./store.js";
import { fromTaggedJson, toTaggedJson } from "./tagged-json.js";

export const HISTORY_FORMAT = "weft.history";
export const HISTORY_VERSION = 2;

export interface History {
	format: typeof HISTORY_FORMAT;
	version: number;
	workflow: string;
	instanceId: string;
	exportedAt: string;
	instance: {
		status: InstanceStatusName;
		params: unknown;
		createdAt: number;
		startedAt: number | null;
		endedAt: number | null;
		output: unknown;
		error: { name: string; message: string } | null;
		generation: number;
		/** The version of the workflow code that created the instance (format version 2). */
		codeVersion: string | null;
	};
	/** The current generation's journal, in order; `entry` in tagged JSON. */
	entries: { seq: number; at: number; entry: unknown }[];
}

export function toHistory(record: InstanceRecord, journal: JournalRecord[], serializer: Serializer, now: number): History {
	return {
		format: HISTORY_FORMAT,
		version: HISTORY_VERSION,
		workflow: record.workflow,
		instanceId: record.id,
		exportedAt: new Date(now).toISOString(),
		instance: {
			status: record.status,
			params: toTaggedJson(serializer.decode(record.params)),
			createdAt: record.createdAt,
			startedAt: record.startedAt,
			endedAt: record.endedAt,
			output: record.output ? toTaggedJson(serializer.decode(record.output)) : null,
			error: record.error ? { name: record.error.name, message: record.error.message } : null,
			generation: record.generation,
			codeVersion: record.version,
		},
		entries: decodeJournal(journal, serializer).map(({ seq, at, ...entry }) => ({ seq, at, entry: toTaggedJson(entry) })),
	};
}

/**
 * Upgrades from each older version to the next. A history written by any released version
 * must load: when the format grows, bump HISTORY_VERSION and add the step from the old one here.
 */
const UPGRADES: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
	// 1 → 2: instances record the version of the code that created them; a version-1 history predates that.
	1: (doc) => ({ ...doc, version: 2, instance: { ...(doc.instance as object), codeVersion: null } }),
};

/** Checks and upgrades a parsed history document; a malformed or unknown one is a typed error. */
export function parseHistory(doc: unknown): History {
	const bad = (why: string) => new ValidationError("history.invalid", `not a Weft history: ${why}`);
	if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw bad("expected a JSON object");
	let d = doc as Record<string, unknown>;
	if (d.format !== HISTORY_FORMAT) throw bad(`"format" must be "${HISTORY_FORMAT}"`);
	if (typeof d.version !== "number" || !Number.isInteger(d.version) || d.version < 1) throw bad('"version" must be a positive integer');
	if (d.version > HISTORY_VERSION) {
		throw new ValidationError(
			"history.unsupported_version",
			`this history is version ${d.version}; this Weft reads versions up to ${HISTORY_VERSION}: upgrade Weft to read it`,
		);
	}
	while ((d.version as number) < HISTORY_VERSION) d = (UPGRADES[d.version as number] as (x: typeof d) => typeof d)(d);
	if (typeof d.workflow !== "string" || typeof d.instanceId !== "string") throw bad('"workflow" and "instanceId" must be strings');
	const inst = d.instance as Record<string, unknown> | undefined;
	if (!inst || typeof inst !== "object" || typeof inst.status !== "string" || typeof inst.createdAt !== "number")
		throw bad('"instance" needs status and createdAt');
	if (!Array.isArray(d.entries)) throw bad('"entries" must be an array');
	for (const [i, e] of (d.entries as unknown[]).entries()) {
		const x = e as Record<string, unknown>;
		if (!x || typeof x.seq !== "number" || typeof x.at !== "number" || typeof x.entry !== "object" || x.entry === null)
			throw bad(`entries[${i}] needs seq, at and entry`);
	}
	return d as unknown as History;
}

/** The history's journal entries, decoded. */
export function historyEntries(history: History): JournalEntry[] {
	return history.entries.map((e) => fromTaggedJson(e.entry) as JournalEntry);
}
