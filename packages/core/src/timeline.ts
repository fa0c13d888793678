// The browsable record of an instance: its status and a step timeline in the shape of
// Cloudflare's instance detail (`GET …/instances/:id`), derived from the journal alone.
import type { ErrorRecord } from "./errors.js";
import { type AttemptEntry, decodeJournal, JournalView, type Positioned } from "./journal.js";
import { type Serializer, toJsonValue } from "./serializer.js";
import { type ResolvedStepConfig, shownOutput } from "./step-config.js";
import { describeStoredStream, isStoredStream } from "./step-stream.js";
import type { InstanceRecord, InstanceStatusName, JournalRecord } from "./store.js";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const plainError = (e: ErrorRecord | undefined | null) => (e ? { name: e.name, message: e.message } : null);

export interface StepAttempt {
	start: string;
	end: string;
	success: boolean;
	error: { name: string; message: string } | null;
	/** The body's console output (captured, bounded; the last line says so when some was dropped). */
	logs: { at: string; level: string; message: string }[];
}

/** A `step.do` with its attempts. */
export interface StepItem {
	type: "step";
	name: string;
	count: number;
	start: string;
	end: string | null;
	success: boolean | null;
	output: unknown;
	error: { name: string; message: string } | null;
	config: ResolvedStepConfig;
	attempts: StepAttempt[];
	nextAttemptAt: string | null;
}

/** A step's rollback handler, run when the instance failed (as Cloudflare's REST API shows it), named after its step. */
export type RollbackItem = Omit<StepItem, "type"> & { type: "rollback" };

export type TimelineItem =
	| StepItem
	| { type: "sleep"; name: string; start: string; end: string; finished: boolean }
	| {
			type: "waitForEvent";
			name: string;
			event_type: string;
			start: string;
			end: string | null;
			finished: boolean;
			output: unknown;
			error: { name: string; message: string } | null;
	  }
	| { type: "termination"; at: string };

export interface InstanceDetails {
	id: string;
	workflow: string;
	status: InstanceStatusName;
	params: unknown;
	queued: string;
	start: string | null;
	end: string | null;
	success: boolean | null;
	output: unknown;
	error: { name: string; message: string } | null;
	generation: number;
	/** Why the instance is held, when its workflow's `onDivergence: "hold"` paused it. */
	divergence: { at: string; message: string } | null;
	/** The version of the workflow code that created the instance. */
	version: string | null;
	/** Every version that ran the instance, in order, from when it first did (the creator's from creation). */
	versions: { version: string; since: string }[];
	steps: TimelineItem[];
	/** The rollback handlers that ran when the instance failed, in the order they ran (docs/rollback.md). */
	rollbacks: RollbackItem[];
	/** How the rollback chain ended, once the instance has errored with handlers registered. */
	rollback: { outcome: "complete" | "failed"; error: { name: string; message: string } | null } | null;
}

export function describeInstance(record: InstanceRecord, journal: JournalRecord[], serializer: Serializer): InstanceDetails {
	const entries = decodeJournal(journal, serializer);
	const view = new JournalView(entries);
	const now = Date.now();
	const steps: TimelineItem[] = [];
	const rollbacks: RollbackItem[] = [];
	let divergence: InstanceDetails["divergence"] = null;
	const versions: InstanceDetails["versions"] = record.version === null ? [] : [{ version: record.version, since: iso(record.createdAt) as string }];
	const byKey = new Map<string, TimelineItem | RollbackItem>();
	for (const e of entries as Positioned[]) {
		switch (e.kind) {
			case "attempt": {
				let item = byKey.get(e.key) as StepItem | RollbackItem | undefined;
				const rollback = e.key.startsWith("rollback:");
				if (!item) {
					item = {
						type: rollback ? "rollback" : "step",
						name: e.name,
						count: e.count,
						start: iso(e.startedAt) as string,
						end: null,
						success: null,
						output: null,
						error: null,
						config: e.config,
						attempts: [],
						nextAttemptAt: null,
					} as StepItem | RollbackItem;
					byKey.set(e.key, item);
					if (item.type === "rollback") rollbacks.push(item);
					else steps.push(item);
				}
				item.attempts.push(attemptOf(e));
				item.nextAttemptAt = e.retryAt === undefined ? null : iso(e.retryAt);
				if (e.final) {
					item.end = iso(e.endedAt);
					item.success = e.ok;
					item.output = e.ok ? shownOutput(e.config, isStoredStream(e.value) ? describeStoredStream(e.value) : toJsonValue(e.value)) : null;
					item.error = plainError(e.stepError ?? e.error);
				}
				break;
			}
			case "sleep": {
				const due = view.effective(view.sleeps.get(e.key) ?? { due: e.until, shiftAt: 0 });
				const item: TimelineItem = { type: "sleep", name: e.name, start: iso(e.startedAt) as string, end: iso(due) as string, finished: due <= now };
				byKey.set(e.key, item);
				steps.push(item);
				break;
			}
			case "wait": {
				const item: TimelineItem = {
					type: "waitForEvent",
					name: e.name,
					event_type: e.type,
					start: iso(e.startedAt) as string,
					end: null,
					finished: false,
					output: null,
					error: null,
				};
				byKey.set(e.key, item);
				steps.push(item);
				break;
			}
			case "event": {
				const item = byKey.get(e.key);
				if (item?.type === "waitForEvent") Object.assign(item, { end: iso(e.at), finished: true, output: toJsonValue(e.event) });
				break;
			}
			case "wait_timeout": {
				const item = byKey.get(e.key);
				if (item?.type === "waitForEvent")
					Object.assign(item, {
						end: iso(e.at),
						finished: true,
						error: { name: "WorkflowTimeoutError", message: `Execution timed out after ${e.timeoutMs}ms` },
					});
				break;
			}
			case "finished":
				if (e.status === "terminated") steps.push({ type: "termination", at: iso(e.at) as string });
				break;
			case "diverged":
				divergence = { at: iso(e.at) as string, message: e.message };
				break;
			case "version":
				versions.push({ version: e.version, since: iso(e.at) as string });
				break;
			case "resumed":
				// A divergence is what held the instance; once resumed, it no longer does.
				divergence = null;
				break;
		}
	}
	const terminal = record.status === "complete" || record.status === "errored" || record.status === "terminated";
	return {
		id: record.id,
		workflow: record.workflow,
		// A rollback chain under way (its handlers' attempts are journaled, the instance has not ended): Cloudflare's REST status.
		status: !terminal && rollbacks.length > 0 ? "rollingBack" : record.status,
		params: toJsonValue(serializer.decode(record.params)),
		queued: iso(record.createdAt) as string,
		start: iso(record.startedAt),
		end: iso(record.endedAt),
		success: terminal ? record.status === "complete" : null,
		output: record.status === "complete" && record.output ? toJsonValue(serializer.decode(record.output)) : null,
		error: plainError(record.error),
		generation: record.generation,
		divergence,
		version: record.version,
		versions,
		steps,
		rollbacks,
		rollback: record.error?.rollback ?? null,
	};
}

function attemptOf(e: AttemptEntry): StepAttempt {
	return {
		start: iso(e.startedAt) as string,
		end: iso(e.endedAt) as string,
		success: e.ok,
		error: plainError(e.error),
		logs: e.logs?.map((l) => ({ at: iso(l.at) as string, level: l.level, message: l.message })) ?? [],
	};
}
