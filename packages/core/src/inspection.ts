// Read-only views over the store for operators: instance listings with an opaque cursor,
// per-workflow counts, and the journal as a stream of decoded entries (for the HTTP API, the CLI
// and the dashboard).
import { ValidationError } from "./errors.js";
import { decodeJournal, type Positioned } from "./journal.js";
import type { Serializer } from "./serializer.js";
import { REDACTED } from "./step-config.js";
import type { InstanceKey, InstanceRecord, InstanceStatusName, ListPosition, Store } from "./store.js";

export interface InstanceSummary {
	id: string;
	workflow: string;
	status: InstanceStatusName;
	createdOn: string;
	startedOn: string | null;
	endedOn: string | null;
	modifiedOn: string;
	/** The version of the workflow code that created it. */
	version: string | null;
}

export interface ListInstancesOptions {
	status?: InstanceStatusName;
	/** ISO date or epoch ms: only instances created at or after it. */
	createdFrom?: string | number;
	/** ISO date or epoch ms: only instances created before it. */
	createdBefore?: string | number;
	/** 1–1000, default 50. */
	limit?: number;
	/** The `cursor` of the previous page. */
	cursor?: string;
	/** Only instances created by this version of the workflow code. */
	version?: string;
}

const STATUSES = new Set<string>(["queued", "running", "paused", "errored", "terminated", "complete", "waiting", "waitingForPause", "unknown"]);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function summarize(r: InstanceRecord): InstanceSummary {
	return {
		id: r.id,
		workflow: r.workflow,
		status: r.status,
		createdOn: new Date(r.createdAt).toISOString(),
		startedOn: iso(r.startedAt),
		endedOn: iso(r.endedAt),
		modifiedOn: new Date(r.updatedAt).toISOString(),
		version: r.version,
	};
}

function encodeCursor(p: ListPosition): string {
	return Buffer.from(JSON.stringify([p.createdAt, p.id])).toString("base64url");
}

function decodeCursor(cursor: string): ListPosition {
	try {
		const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as [unknown, unknown];
		if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
	} catch {}
	throw new ValidationError("list.invalid_cursor", "the cursor is not one this server returned; pass the `cursor` of the previous page unchanged");
}

function toMs(v: string | number | undefined, what: string): number | undefined {
	if (v === undefined) return undefined;
	const ms = typeof v === "number" ? v : Date.parse(v);
	if (!Number.isFinite(ms))
		throw new ValidationError("list.invalid_date", `${what} ${JSON.stringify(v)} is not a date: use an ISO 8601 date or epoch milliseconds`);
	return ms;
}

export async function listInstances(
	store: Store,
	workflow: string,
	options: ListInstancesOptions = {},
): Promise<{ instances: InstanceSummary[]; cursor: string | null }> {
	const limit = options.limit ?? 50;
	if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
		throw new ValidationError("list.invalid_limit", `limit must be an integer from 1 to 1000, not ${options.limit}`);
	if (options.status !== undefined && !STATUSES.has(options.status)) {
		throw new ValidationError("list.invalid_status", `status ${JSON.stringify(options.status)} is not one of ${[...STATUSES].join(", ")}`);
	}
	const createdFrom = toMs(options.createdFrom, "createdFrom");
	const createdBefore = toMs(options.createdBefore, "createdBefore");
	const page = await store.listInstances({
		workflow,
		limit,
		...(options.cursor ? { after: decodeCursor(options.cursor) } : {}),
		...(options.status ? { status: options.status } : {}),
		...(options.version !== undefined ? { version: options.version } : {}),
		...(createdFrom !== undefined ? { createdFrom } : {}),
		...(createdBefore !== undefined ? { createdBefore } : {}),
	});
	return { instances: page.instances.map(summarize), cursor: page.next ? encodeCursor(page.next) : null };
}

/** Instance counts per status for each workflow name given (zero counts included). */
export async function countInstances(store: Store, workflows: string[]): Promise<Record<string, Partial<Record<InstanceStatusName, number>>>> {
	const out: Record<string, Partial<Record<InstanceStatusName, number>>> = Object.fromEntries(workflows.map((w) => [w, {}]));
	for (const row of await store.countByStatus()) {
		const counts = out[row.workflow];
		if (counts) counts[row.status] = row.count;
	}
	return out;
}

/**
 * The journal entries after `afterSeq`, decoded, each with its `seq` (a resumable cursor) and `at`,
 * as they may be shown: a sensitive step's value is redacted.
 */
export async function readEntries(store: Store, serializer: Serializer, key: InstanceKey, afterSeq = 0): Promise<Positioned[]> {
	return decodeJournal(await store.readJournal(key, afterSeq), serializer).map((e) =>
		e.kind === "attempt" && e.ok && e.config.sensitive === "output" ? { ...e, value: REDACTED } : e,
	);
}
