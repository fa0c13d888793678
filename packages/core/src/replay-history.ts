// Replays a recorded history against workflow code: every step, sleep and wait is answered from
// the history, no step body runs, the clock reads the history's last recorded time, and nothing
// is written anywhere. Reports where the code and the history part ways (docs/replay.md).
import { Activation } from "./activation.js";
import { ManualClock } from "./clock.js";
import { ValidationError } from "./errors.js";
import { type History, historyEntries, parseHistory } from "./history.js";
import type { JournalEntry } from "./journal.js";
import { type Serializer, v8Serializer } from "./serializer.js";
import type { StepRequest } from "./step-hooks.js";
import { copyRequest } from "./step-request.js";
import type { ActivationOutcome, Store } from "./store.js";
import { fromTaggedJson, toTaggedJson } from "./tagged-json.js";
import type { AnyWorkflowClass, WorkflowClass } from "./workflow-entrypoint.js";

export type DivergenceKind = "missing-step" | "out-of-order" | "changed-config" | "ended-early" | "went-on" | "output-differs" | "status-differs";

export interface Divergence {
	kind: DivergenceKind;
	/** Index in the history's entries where the two part ways, when there is one. */
	position: number | null;
	/** What the history holds there, e.g. `do "reserve" #2`. */
	history: string | null;
	/** What the code asked for, e.g. `do "charge" #1`. */
	code: string | null;
	/** Where the code made that call. */
	site: string | null;
	message: string;
}

export interface ReplayResult {
	workflow: string;
	instanceId: string;
	/** How the code's run ended against this history: it finished, failed, waits on something the history has not reached, or stopped at a divergence. */
	status: "complete" | "errored" | "waiting" | "diverged";
	output?: unknown;
	error?: { name: string; message: string };
	/** Steps answered from the history. */
	served: number;
	/** When the history ends before the code: the step the code would run next. */
	next: StepRequest | null;
	divergence: Divergence | null;
}

export interface ReplayOptions {
	/** What the workflow sees as `this.env` (its step bodies never run, so bindings are rarely needed). */
	env?: Record<string, unknown>;
	serializer?: Serializer;
	/** Give up on code that never reaches a step or an end (ms, real time; default 30 s). */
	timeoutMs?: number;
	/** Hears each step as the history answers it, in the order the code asks (`weft instances replay --verbose`). */
	onServed?: (request: StepRequest) => void;
}

const describe = (kind: string, name: string, count: number) => `${kind} "${name}" #${count}`;

function describeKey(key: string): string {
	const m = /^(do|sleep|waitForEvent):(.*)#(\d+)$/.exec(key);
	return m ? describe(m[1] as string, m[2] as string, Number(m[3])) : key;
}

const refuse = () => Promise.reject(new ValidationError("replay.read_only", "a replay writes nothing"));

/** A Store that holds nothing and writes nothing, shared by every replay. */
const NO_STORE: Omit<Store, "completeActivation"> = {
	createInstances: refuse,
	getInstance: async () => null,
	readJournal: async () => [],
	readEvents: async () => [],
	listInstances: refuse,
	countByStatus: async () => [],
	claimActivations: async () => [],
	appendJournal: async () => {},
	renewLeases: async () => [],
	releaseAllLeases: async () => {},
	releaseLeases: async () => {},
	nextWakeAt: async () => null,
	sendEvent: refuse,
	pause: refuse,
	resume: refuse,
	terminate: refuse,
	restart: refuse,
	childrenOf: async () => [],
	deleteInstances: refuse,
	purgeInstances: refuse,
	close: async () => {},
};

/** A Store that holds nothing and writes nothing: it only hears how the activation ended. */
function replayStore(onOutcome: (o: ActivationOutcome) => void): Store {
	// The rest is inherited, not copied: a replay takes tens of microseconds, and copying 20 methods is a part of that.
	const store: Store = Object.create(NO_STORE);
	store.completeActivation = async (_lease, _records, outcome) => onOutcome(outcome);
	return store;
}

export async function replayHistory(workflowClass: AnyWorkflowClass, doc: History | unknown, options: ReplayOptions = {}): Promise<ReplayResult> {
	const history = parseHistory(doc);
	const serializer = options.serializer ?? v8Serializer;
	const entries = historyEntries(history);
	const steps = historySteps(entries);
	const served = new Set<string>();
	/** The first step of the history not served yet, nor next, that passes `test`, and its position. */
	const firstUnserved = (test?: (step: HistoryStep) => boolean): [string, number] | undefined => {
		for (const [key, step] of steps) if (!served.has(key) && key !== next?.key && (!test || test(step))) return [key, step.position];
		return undefined;
	};
	const endedAt = history.instance.endedAt ?? history.entries.at(-1)?.at ?? history.instance.createdAt;
	const finished = history.instance.status === "complete" || history.instance.status === "errored";

	let outcome: ActivationOutcome | null = null;
	let divergence: Divergence | null = null;
	let next: StepRequest | null = null;
	let activation: Activation | undefined;
	const stop = () => queueMicrotask(() => activation?.abort());

	const result = new Promise<void>((resolve) => {
		const cancel = setTimeout(() => {
			activation?.abort();
			resolve();
		}, options.timeoutMs ?? 30_000);
		activation = new Activation(
			{
				lease: { workflow: history.workflow, id: history.instanceId, ref: 0, epoch: 0, signal: 0 },
				instance: {
					workflow: history.workflow,
					id: history.instanceId,
					status: "running",
					params: serializer.encode(fromTaggedJson(history.instance.params)),
					output: null,
					error: null,
					createdAt: history.instance.createdAt,
					startedAt: history.instance.startedAt,
					endedAt: null,
					updatedAt: endedAt,
					generation: history.instance.generation,
					version: history.instance.codeVersion,
					// A replay writes nothing, so it tells no parent anything either.
					parent: null,
					pauseRequested: false,
					pausedAt: null,
					wakeAt: null,
				},
				journal: [],
				events: [],
			},
			{
				store: replayStore((o) => {
					outcome = o;
				}),
				clock: new ManualClock(endedAt),
				serializer,
				workflowClass: workflowClass as unknown as WorkflowClass,
				env: options.env ?? {},
				alwaysReplay: false,
				decodedJournal: entries,
				replay: {
					served: (r) => {
						served.add(r.key);
						// A copy: the listener may keep it.
						options.onServed?.(copyRequest(r));
						if (divergence) return;
						// A step the history finished before this one even started must come first.
						const start = steps.get(r.key)?.start ?? Number.POSITIVE_INFINITY;
						const before = firstUnserved((step) => step.end <= start);
						if (!before) return;
						const [key, position] = before;
						divergence = {
							kind: "out-of-order",
							position,
							history: describeKey(key),
							code: describe(r.kind, r.name, r.count),
							site: r.site,
							message: `diverged at journal position ${position}: the code asked for ${describe(r.kind, r.name, r.count)}${r.site ? ` (at ${r.site})` : ""} before ${describeKey(key)}, which the history finished before ${describe(r.kind, r.name, r.count)} began`,
						};
						stop();
					},
					missing: (r) => {
						if (divergence || next) return;
						if (steps.has(r.key)) {
							// The history holds this step but had not settled it yet (a wait, a sleep or a
							// retry still pending when it was recorded): that is where it ends, not a divergence.
							next = copyRequest(r);
							stop();
							return;
						}
						const [key, position] = firstUnserved() ?? [];
						if (key !== undefined) {
							divergence = {
								kind: "missing-step",
								position: position ?? null,
								history: describeKey(key),
								code: describe(r.kind, r.name, r.count),
								site: r.site,
								message: `diverged at journal position ${position}: the code asked for ${describe(r.kind, r.name, r.count)}${r.site ? ` (at ${r.site})` : ""}; the history holds ${describeKey(key)} there`,
							};
						} else if (finished) {
							divergence = {
								kind: "went-on",
								position: history.entries.length,
								history: null,
								code: describe(r.kind, r.name, r.count),
								site: r.site,
								message: `the history ended ${history.instance.status}, but the code goes on to ${describe(r.kind, r.name, r.count)}${r.site ? ` (at ${r.site})` : ""}`,
							};
						} else next = copyRequest(r);
						stop();
					},
					configChanged: (r, recorded, requested) => {
						if (divergence) return;
						divergence = {
							kind: "changed-config",
							position: steps.get(r.key)?.position ?? null,
							history: `${describe(r.kind, r.name, r.count)} with config ${JSON.stringify(recorded)}`,
							code: `${describe(r.kind, r.name, r.count)} with config ${JSON.stringify(requested ?? null)}`,
							site: r.site,
							message: `the config of ${describe(r.kind, r.name, r.count)}${r.site ? ` (at ${r.site})` : ""} changed: the history ran it with ${JSON.stringify(recorded)}, the code now gives ${JSON.stringify(requested ?? null)}`,
						};
						stop();
					},
				},
				onEnd: () => {
					clearTimeout(cancel);
					resolve();
				},
				onError: () => {},
			},
		);
		activation.start();
	});
	await result;
	return settle(history, serializer, outcome, divergence, next, served.size, firstUnserved());
}

/** A step of the history: the position of its first entry, when it started and when it settled (+∞ while open). */
interface HistoryStep {
	position: number;
	start: number;
	end: number;
}

/** The history's steps, in the order they first appear. */
function historySteps(entries: JournalEntry[]): Map<string, HistoryStep> {
	const steps = new Map<string, HistoryStep>();
	for (const [i, e] of entries.entries()) {
		if (e.kind !== "attempt" && e.kind !== "sleep" && e.kind !== "wait") continue;
		let step = steps.get(e.key);
		if (!step) {
			step = { position: i, start: e.startedAt, end: Number.POSITIVE_INFINITY };
			steps.set(e.key, step);
		}
		if (e.kind === "attempt" && e.final) step.end = e.endedAt;
		else if (e.kind === "sleep") step.end = e.until;
	}
	return steps;
}

function settle(
	history: History,
	serializer: Serializer,
	outcome: ActivationOutcome | null,
	divergence: Divergence | null,
	next: StepRequest | null,
	served: number,
	unserved: [string, number] | undefined,
): ReplayResult {
	const base = { workflow: history.workflow, instanceId: history.instanceId, served, next };
	if (divergence) return { ...base, status: "diverged", divergence };
	if (outcome === null || (outcome as ActivationOutcome).kind === "suspend") return { ...base, status: "waiting", divergence: null };
	const o = outcome as Exclude<ActivationOutcome, { kind: "suspend" }>;
	const ended =
		o.kind === "complete"
			? { status: "complete" as const, output: serializer.decode(o.output) }
			: { status: "errored" as const, error: { name: o.error.name, message: o.error.message } };
	const [key, position] = unserved ?? [];
	if (key !== undefined) {
		return {
			...base,
			...ended,
			divergence: {
				kind: "ended-early",
				position: position ?? null,
				history: describeKey(key),
				code: null,
				site: null,
				message: `the code ${ended.status === "complete" ? "finished" : "failed"} before ${describeKey(key)}, which the history holds at journal position ${position}`,
			},
		};
	}
	const recorded = history.instance;
	if ((recorded.status === "complete" || recorded.status === "errored") && recorded.status !== ended.status) {
		return {
			...base,
			...ended,
			divergence: {
				kind: "status-differs",
				position: null,
				history: recorded.status,
				code: ended.status,
				site: null,
				message: `the history ended ${recorded.status}, the code now ends ${ended.status}`,
			},
		};
	}
	if (recorded.status === "complete" && ended.status === "complete") {
		const before = JSON.stringify(recorded.output);
		const now = JSON.stringify(toTaggedJson(ended.output));
		if (before !== now) {
			return {
				...base,
				...ended,
				divergence: {
					kind: "output-differs",
					position: null,
					history: before,
					code: now,
					site: null,
					message: `the code returns ${now} where the history returned ${before}`,
				},
			};
		}
	}
	return { ...base, ...ended, divergence: null };
}
