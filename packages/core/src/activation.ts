// One pass of a worker over an instance: run `run()` from the top, answer each step from the
// journal when it is there and execute it when it is not, commit what happened, and stop when
// the code finishes, fails, or reaches something that must wait. Suspension is not an
// exception: a step that must wait returns a promise that never settles, and the activation
// ends once nothing is left in flight.
import type { Clock } from "./clock.js";
import { parseDuration, type WorkflowDuration } from "./duration.js";
import {
	type ErrorRecord,
	fromErrorRecord,
	LeaseLostError,
	SleepInPastError,
	toErrorRecord,
	ValidationError,
	WorkflowFatalError,
	WorkflowTimeoutError,
} from "./errors.js";
import { type AttemptEntry, decodeJournal, type JournalEntry, JournalView, type StepKind, stepKey } from "./journal.js";
import { isCloneError, MAX_VALUE_BYTES, type Serializer } from "./serializer.js";
import { type ResolvedStepConfig, resolveStepConfig, retryDelayMs, timeoutMs, type WorkflowStepConfig } from "./step-config.js";
import type { ReplayObserver, StepInterceptor, StepRequest } from "./step-hooks.js";
import { sameConfig, stepContext, stepRequest } from "./step-request.js";
import { type ActivationOutcome, type Claimed, type EventRecord, type JournalRecord, journalSeq, type Lease, SEQS_PER_EPOCH, type Store } from "./store.js";
import type { WorkflowClass, WorkflowEvent, WorkflowStep, WorkflowStepContext, WorkflowStepEvent } from "./workflow-entrypoint.js";

export interface ActivationDeps {
	store: Store;
	clock: Clock;
	serializer: Serializer;
	workflowClass: WorkflowClass;
	env: unknown;
	/** End the activation after every committed step, so each step replays from the store (a test mode). */
	alwaysReplay: boolean;
	/** Replaying a history: steps are only ever answered from the journal, and this hears about each. */
	replay?: ReplayObserver;
	/**
	 * What to do when the code asks for a step the journal does not hold while the journal still
	 * holds steps the code has not reached: "run" the new step (Cloudflare's behaviour), or "hold"
	 * the instance paused with the reason, calling onDivergence.
	 */
	divergence?: "run" | "hold";
	onDivergence?(message: string): void;
	/** Test support: what replaces the steps of this instance. */
	intercept?: StepInterceptor;
	/** The journal already decoded (a replayed history), instead of decoding the claim's records. */
	decodedJournal?: JournalEntry[];
	/** False when the worker cannot keep its leases (see Scheduler.leaseHealthy): step bodies are held. */
	mayStartStep?(): boolean;
	/** The version of the code running; journaled when it differs from the one that ran the instance last. */
	version?: string;
	/** Called once when the activation has ended, whatever the reason. */
	onEnd(activation: Activation): void;
	onError(error: unknown, activation: Activation): void;
}

/**
 * A promise that never settles: what a suspended or abandoned step returns. A fresh one each
 * time, never a shared one: every `await` of a shared pending promise would add a reaction to it
 * that lives forever, holding the whole activation with it.
 */
const never = (): Promise<never> => new Promise<never>(() => {});
const DEFAULT_EVENT_TIMEOUT = "24 hours";
const MAX_STACK_CHARS = 4096;

export class Activation {
	readonly lease: Lease;
	readonly #deps: ActivationDeps;
	readonly #claimed: Claimed;
	readonly #view: JournalView;
	readonly #events: EventRecord[];
	readonly #counters = new Map<string, number>();
	#staged: JournalRecord[] = [];
	/** Records written under this lease so far (their seq is journalSeq(epoch, n)). */
	#written = 0;
	/** Step bodies running and commits not yet acknowledged. */
	#busy = 0;
	/** Under the "hold" policy: the journal's steps (key → position of their first entry), and the ones the code asked for. */
	readonly #journalSteps = new Map<string, number>();
	readonly #requested = new Set<string>();
	/** The abort controllers of the attempts running now. */
	readonly #attempts = new Set<AbortController>();
	/** Commits issued by #commitBehind and not yet acknowledged, and the latest of them. */
	#unacked = 0;
	#lastCommit: Promise<void> = Promise.resolve();
	#suspendedDues: number[] = [];
	#checkQueued = false;
	#pauseRequested: boolean;
	#closed = false;

	constructor(claimed: Claimed, deps: ActivationDeps) {
		this.lease = claimed.lease;
		this.#claimed = claimed;
		this.#deps = deps;
		const entries = deps.decodedJournal ?? decodeJournal(claimed.journal, deps.serializer);
		this.#view = new JournalView(entries);
		if (deps.divergence === "hold") {
			for (const [i, e] of entries.entries())
				if ((e.kind === "attempt" || e.kind === "sleep" || e.kind === "wait") && !this.#journalSteps.has(e.key)) this.#journalSteps.set(e.key, i);
		}
		this.#events = claimed.events;
		this.#pauseRequested = claimed.instance.pauseRequested;
		if (deps.version !== undefined && deps.version !== lastVersion(claimed.instance.version, entries)) {
			// Written with the first commit: an activation that writes nothing ran nothing worth recording.
			this.#stage({ kind: "version", version: deps.version });
		}
	}

	get closed(): boolean {
		return this.#closed;
	}
	get stepInFlight(): boolean {
		return this.#busy > 0;
	}

	/** New steps are held, and the activation ends once in-flight ones are committed. */
	requestPause(): void {
		this.#pauseRequested = true;
	}
	/** The instance was terminated or restarted elsewhere: drop everything, write nothing more. */
	abort(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const a of this.#attempts)
			a.abort(new LeaseLostError("the instance was terminated, restarted or claimed elsewhere; this attempt's result will not be used"));
		this.#attempts.clear();
		this.#deps.onEnd(this);
	}

	start(): void {
		const { instance } = this.#claimed;
		const { serializer, workflowClass, env } = this.#deps;
		const event = Object.freeze({
			payload: serializer.decode(instance.params) as Readonly<unknown>,
			timestamp: new Date(instance.createdAt),
			instanceId: instance.id,
			workflowName: instance.workflow,
		}) as WorkflowEvent;
		const step = this.#stepApi();
		Promise.resolve()
			.then(() => {
				const workflow = new workflowClass({ waitUntil: (p) => void Promise.resolve(p).catch(() => {}) }, env);
				return workflow.run(event, step);
			})
			.then(
				(output) => this.#complete(output),
				(error) => this.#fail(toErrorRecord(error)),
			);
	}

	#stepApi(): WorkflowStep {
		return {
			do: ((name: string, configOrCallback: unknown, maybeCallback?: unknown) => {
				const [config, callback] = typeof configOrCallback === "function" ? [undefined, configOrCallback] : [configOrCallback, maybeCallback];
				return this.#do(name, config, callback as (ctx: WorkflowStepContext) => unknown, this.#site());
			}) as WorkflowStep["do"],
			sleep: (name, duration) => this.#sleep(name, duration, this.#site()),
			sleepUntil: (name, timestamp) => this.#sleepUntil(name, timestamp, this.#site()),
			waitForEvent: (name, options) => this.#waitForEvent(name, options, this.#site()) as Promise<WorkflowStepEvent<never>>,
		};
	}

	/**
	 * Where user code called a step, captured only when replaying, and formatted only if a report
	 * needs it (formatting a stack costs far more than capturing one).
	 */
	#site(): Error | null {
		if (!this.#deps.replay) return null;
		const limit = Error.stackTraceLimit;
		Error.stackTraceLimit = 12;
		const where = new Error();
		Error.stackTraceLimit = limit;
		return where;
	}

	/** The n-th use of this name for this kind of step, counted from 1 in each run. */
	#nextCount(kind: StepKind, name: unknown): number {
		if (typeof name !== "string" || name.length === 0 || name.length > 256) {
			throw new ValidationError("step.invalid_name", `step name ${JSON.stringify(name)} is invalid: use a non-empty string of at most 256 characters`);
		}
		const counter = `${kind}:${name}`;
		const count = (this.#counters.get(counter) ?? 0) + 1;
		this.#counters.set(counter, count);
		return count;
	}

	async #do(name: string, config: unknown, callback: (ctx: WorkflowStepContext) => unknown, site: Error | null): Promise<unknown> {
		const count = this.#nextCount("do", name);
		const key = stepKey("do", name, count);
		if (this.#deps.divergence === "hold") this.#requested.add(key);
		const replay = this.#deps.replay;
		if (typeof callback !== "function") throw new ValidationError("step.invalid_callback", `step "${name}" needs a callback function as its last argument`);
		const final = this.#view.finals.get(key);
		if (replay) {
			const request = stepRequest("do", name, count, key, site);
			if (!final) {
				replay.missing(request);
				return never();
			}
			if (!sameConfig(name, final.config, config)) replay.configChanged(request, final.config, config);
			replay.served(request);
		}
		if (final) return this.#settled(final);
		if (this.#deps.divergence === "hold" && (await this.#diverges("do", name, count, key))) return this.#suspend(this.#deps.clock.now());
		const prior = this.#view.attempts.get(key) ?? [];
		// The config is pinned at the first attempt; later replays use the journaled one.
		const resolved: ResolvedStepConfig = prior[0]?.config ?? resolveStepConfig(name, config as WorkflowStepConfig | undefined);
		if (this.#closed) return never();
		const retry = this.#view.retries.get(key);
		if (retry && this.#view.effective(retry) > this.#deps.clock.now()) return this.#suspend(this.#view.effective(retry));
		if (this.#pauseRequested) return this.#suspend(this.#deps.clock.now());

		const { clock } = this.#deps;
		let attempt = prior.length + 1;
		for (;;) {
			// Code outside steps may run ahead of the disk; a step body, which may act on the world, may not.
			if (this.#unacked > 0) await this.#lastCommit;
			if (this.#closed) return never();
			// A worker that cannot renew its leases starts nothing new: the step waits for a worker that can.
			if (this.#deps.mayStartStep?.() === false) return this.#suspend(clock.now());
			const startedAt = clock.now();
			const attemptAbort = new AbortController();
			const ctx = stepContext(name, count, attempt, resolved, attemptAbort.signal);
			this.#busy++;
			let ok = true;
			let value: unknown;
			let error: ErrorRecord | undefined;
			try {
				this.#attempts.add(attemptAbort);
				const mock = this.#deps.intercept?.attempt?.({ name, count, attempt });
				if (mock === undefined) value = await this.#withTimeout(() => callback(ctx), timeoutMs(resolved), attemptAbort);
				else if ("value" in mock) value = mock.value;
				else throw "error" in mock ? mock.error : new WorkflowTimeoutError(timeoutMs(resolved));
			} catch (e) {
				ok = false;
				error = toErrorRecord(e);
				if (error.stack && error.stack.length > MAX_STACK_CHARS) error.stack = error.stack.slice(0, MAX_STACK_CHARS);
			}
			this.#attempts.delete(attemptAbort);
			if (this.#closed) return never();
			const endedAt = clock.now();
			if (ok) {
				const entry: AttemptEntry = { kind: "attempt", key, name, count, attempt, config: resolved, startedAt, endedAt, ok: true, value, final: true };
				let record: JournalRecord;
				try {
					record = this.#record(entry);
				} catch (e) {
					this.#busy--;
					this.#fatal(unstorable(name, e));
					return never();
				}
				this.#busy--;
				this.#view.add(entry);
				if (this.#deps.alwaysReplay) {
					await this.#commit([record]);
					return this.#suspend(clock.now());
				}
				this.#commitBehind([record]);
				// The caller gets what a replay would get: the value as stored (primitives are already that).
				if (value === null || typeof value !== "object") return value;
				return (this.#deps.serializer.decode(record.data) as AttemptEntry).value;
			}
			const err = error as ErrorRecord;
			const stop = err.name === "NonRetryableError" || attempt > resolved.retries.limit;
			const configured = stop ? 0 : retryDelayMs(resolved, attempt);
			const delayMs = stop ? 0 : (this.#deps.intercept?.retryDelay?.({ name, count, attempt }, configured) ?? configured);
			const entry: AttemptEntry = { kind: "attempt", key, name, count, attempt, config: resolved, startedAt, endedAt, ok: false, error: err, final: stop };
			if (!stop) entry.retryAt = endedAt + delayMs;
			this.#busy--;
			this.#view.add(entry);
			if (stop) {
				this.#commitBehind([this.#record(entry)]);
				throw fromErrorRecord(err);
			}
			this.#busy++;
			await this.#commit([this.#record(entry)]);
			this.#busy--;
			if (delayMs > 0 || this.#pauseRequested) return this.#suspend(entry.retryAt as number);
			attempt++;
		}
	}

	/**
	 * Under the "hold" policy, whether this step, new to the journal, parts from it: the journal
	 * still holds steps the code has not asked for. Steps asked for in the same turn (Promise.all)
	 * may come in any order, so the answer waits for the turn to end. A divergence is journaled
	 * with its reason and the instance is paused, to be resumed after a fix or restarted.
	 */
	async #diverges(kind: StepKind, name: string, count: number, key: string): Promise<boolean> {
		if (this.#deps.divergence !== "hold") return false;
		this.#requested.add(key);
		if (this.#view.knows(key) || this.#journalSteps.size === 0) return false;
		const site = new Error();
		await new Promise((r) => setImmediate(r));
		let first: [string, number] | undefined;
		for (const step of this.#journalSteps) if (!this.#requested.has(step[0]) && (!first || step[1] < first[1])) first = step;
		if (!first || this.#closed) return false;
		const where = stepRequest(kind, name, count, key, site).site;
		const [held, position] = first;
		const message = `diverged at journal position ${position}: the code asked for ${kind} "${name}" #${count}${where ? ` (at ${where})` : ""}; the journal holds ${held.replace(/^(do|sleep|waitForEvent):(.*)#(\d+)$/, '$1 "$2" #$3')} there`;
		this.#stage({ kind: "diverged", key, message });
		this.#pauseRequested = true;
		// The reason is durable before anyone can see the instance paused.
		this.#busy++;
		await this.#commit([]);
		this.#busy--;
		this.#deps.onDivergence?.(message);
		return true;
	}

	#settled(entry: AttemptEntry): unknown {
		if (entry.ok) return entry.value;
		throw fromErrorRecord(entry.error as ErrorRecord);
	}

	#withTimeout(fn: () => unknown, ms: number, abort: AbortController): Promise<unknown> {
		return new Promise<unknown>((resolve, reject) => {
			const cancel = this.#deps.clock.setTimer(() => {
				const timeout = new WorkflowTimeoutError(ms);
				abort.abort(timeout);
				reject(timeout);
			}, ms);
			Promise.resolve()
				.then(fn)
				.then(
					(v) => {
						cancel();
						resolve(v);
					},
					(e) => {
						cancel();
						reject(e);
					},
				);
		});
	}

	async #sleep(name: string, duration: WorkflowDuration | number, site: Error | null): Promise<void> {
		const count = this.#nextCount("sleep", name);
		const key = stepKey("sleep", name, count);
		const requested = parseDuration(duration, `sleep "${name}" duration`);
		const ms = this.#deps.intercept?.sleep?.({ name, count }, requested) ?? requested;
		const now = this.#deps.clock.now();
		return this.#timer(stepRequest("sleep", name, count, key, site), now + ms, now);
	}

	async #sleepUntil(name: string, timestamp: Date | number, site: Error | null): Promise<void> {
		const count = this.#nextCount("sleep", name);
		const key = stepKey("sleep", name, count);
		const until = timestamp instanceof Date ? timestamp.getTime() : timestamp;
		if (typeof until !== "number" || !Number.isFinite(until)) {
			throw new ValidationError(
				"duration.invalid",
				`sleepUntil "${name}" needs a Date or a number of milliseconds since the epoch, not ${JSON.stringify(timestamp)}`,
			);
		}
		const now = this.#deps.clock.now();
		if (!this.#view.sleeps.has(key) && until < now && !this.#deps.replay) throw new SleepInPastError();
		const shortened = this.#deps.intercept?.sleep ? now + this.#deps.intercept.sleep({ name, count }, until - now) : until;
		return this.#timer(stepRequest("sleep", name, count, key, site), shortened, now);
	}

	/** A sleep: on first sight its due time is journaled (with `now`, read once, as its start). */
	async #timer(request: StepRequest, until: number, now: number): Promise<void> {
		const { key, name } = request;
		const known = this.#view.sleeps.get(key);
		if (this.#deps.replay) {
			if (!known) {
				this.#deps.replay.missing(request);
				return never();
			}
			this.#deps.replay.served(request);
		}
		if (this.#deps.divergence === "hold") this.#requested.add(key);
		if (known) {
			const due = this.#view.effective(known);
			return due <= now ? undefined : this.#suspend(due);
		}
		if (this.#deps.divergence === "hold" && (await this.#diverges("sleep", name, request.count, key))) return this.#suspend(now);
		if (this.#pauseRequested || this.#closed) return this.#suspend(now);
		this.#stage({ kind: "sleep", key, name, startedAt: now, until });
		if (until > now) return this.#suspend(until);
	}

	async #waitForEvent(name: string, options: { type: string; timeout?: WorkflowDuration | number }, site: Error | null): Promise<WorkflowStepEvent> {
		const count = this.#nextCount("waitForEvent", name);
		const key = stepKey("waitForEvent", name, count);
		const type = options?.type;
		if (typeof type !== "string")
			throw new ValidationError("event.invalid_type", `waitForEvent "${name}" needs options.type, a string naming the event type to wait for`);
		const ms = parseDuration(options.timeout ?? DEFAULT_EVENT_TIMEOUT, `waitForEvent "${name}" timeout`);
		const { serializer, clock } = this.#deps;
		const received = this.#view.received.get(key);
		const timedOut = this.#view.timedOut.get(key);
		if (this.#deps.divergence === "hold") this.#requested.add(key);
		if (this.#deps.replay) {
			const request = stepRequest("waitForEvent", name, count, key, site);
			if (!received && !timedOut) {
				this.#deps.replay.missing(request);
				return never();
			}
			this.#deps.replay.served(request);
		}
		if (received) return structuredClone(received.event) as WorkflowStepEvent;
		if (timedOut) throw new WorkflowTimeoutError(timedOut.timeoutMs);
		const now = clock.now();
		let wait = this.#view.waits.get(key);
		if (!wait) {
			if (this.#deps.divergence === "hold" && (await this.#diverges("waitForEvent", name, count, key))) return this.#suspend(now);
			if (this.#pauseRequested || this.#closed) return this.#suspend(now);
			this.#stage({ kind: "wait", key, name, type, startedAt: now, timeoutAt: now + ms });
			wait = this.#view.waits.get(key);
		}
		const mocked = this.#deps.intercept?.event?.({ name, count, type });
		if (mocked && "timeout" in mocked) {
			this.#busy++;
			await this.#commit([this.#record({ kind: "wait_timeout", key, timeoutMs: ms })]);
			this.#busy--;
			throw new WorkflowTimeoutError(ms);
		}
		if (mocked) {
			// A mocked event was never buffered: it takes a seq no real event has.
			const event = { payload: mocked.payload, timestamp: new Date(now), type };
			const record = this.#record({ kind: "event", key, eventSeq: -count, event });
			this.#busy++;
			await this.#commit([record]);
			this.#busy--;
			return (serializer.decode(record.data) as { event: WorkflowStepEvent }).event;
		}
		const available = this.#events.find((e) => e.type === type && !this.#view.consumedEvents.has(e.seq));
		if (available) {
			// Reserved at once, so a concurrent wait for the same type takes the next one.
			this.#view.consumedEvents.add(available.seq);
			const event = { payload: serializer.decode(available.payload), timestamp: new Date(available.at), type };
			const record = this.#record({ kind: "event", key, eventSeq: available.seq, event });
			this.#busy++;
			await this.#commit([record]);
			this.#busy--;
			if (this.#deps.alwaysReplay) return this.#suspend(clock.now());
			return (serializer.decode(record.data) as { event: WorkflowStepEvent }).event;
		}
		const due = this.#view.effective(wait as NonNullable<typeof wait>);
		if (due > now) return this.#suspend(due);
		this.#busy++;
		await this.#commit([this.#record({ kind: "wait_timeout", key, timeoutMs: ms })]);
		this.#busy--;
		throw new WorkflowTimeoutError(ms);
	}

	#record(entry: JournalEntry): JournalRecord {
		if (this.#written + 1 >= SEQS_PER_EPOCH)
			throw new WorkflowFatalError("instance.too_many_steps", `one activation may write at most ${SEQS_PER_EPOCH - 1} journal entries`);
		const data = this.#deps.serializer.encode(entry);
		// Only a record this large can hold a result over the limit; measure the result alone then.
		if (entry.kind === "attempt" && data.byteLength > MAX_VALUE_BYTES) {
			const size = this.#deps.serializer.encode(entry.value).byteLength;
			if (size > MAX_VALUE_BYTES) {
				throw new WorkflowFatalError(
					"step.output_too_large",
					`The step "${entry.name}" returned ${size} bytes; a step result may take at most 1 MiB once stored`,
				);
			}
		}
		return { seq: journalSeq(this.lease.epoch, ++this.#written), at: this.#deps.clock.now(), kind: entry.kind, key: "key" in entry ? entry.key : null, data };
	}

	/** Records an entry to be written with the next commit; visible to this activation at once. */
	#stage(entry: JournalEntry): void {
		this.#staged.push(this.#record(entry));
		this.#view.add(entry);
	}

	async #commit(records: JournalRecord[]): Promise<void> {
		const batch = this.#staged.length ? [...this.#staged.splice(0), ...records] : records;
		try {
			await this.#deps.store.appendJournal(this.lease, batch);
		} catch (e) {
			this.#lost(e);
			return never();
		}
		if (this.#closed) return never();
	}

	/**
	 * Commits without making the caller wait: the workflow's code carries on at once, and the
	 * run's next write (often its completion) joins the same group commit. The next step body
	 * waits for it (see #do), so nothing acts on a result that is not yet durable.
	 */
	#commitBehind(records: JournalRecord[]): void {
		this.#unacked++;
		this.#busy++;
		this.#lastCommit = this.#commit(records).then(() => {
			this.#unacked--;
			this.#busy--;
			if (this.#suspendedDues.length > 0) this.#queueCheck();
		});
	}

	#suspend(due: number): Promise<never> {
		this.#suspendedDues.push(due);
		this.#queueCheck();
		return never();
	}

	/** After the event loop turns: if nothing is in flight and something waits, the activation ends. */
	#queueCheck(): void {
		if (this.#checkQueued) return;
		this.#checkQueued = true;
		setImmediate(() => {
			this.#checkQueued = false;
			if (this.#closed || this.#busy > 0 || this.#suspendedDues.length === 0) return;
			this.#end({ kind: "suspend", wakeAt: Math.min(...this.#suspendedDues) }, []);
		});
	}

	#complete(output: unknown): void {
		if (this.#closed) return;
		let data: Uint8Array;
		try {
			data = this.#deps.serializer.encode(output);
			if (data.byteLength > MAX_VALUE_BYTES)
				throw new WorkflowFatalError(
					"instance.output_too_large",
					`run() returned ${data.byteLength} bytes; an instance output may take at most 1 MiB once stored`,
				);
		} catch (e) {
			this.#fail(
				toErrorRecord(
					isCloneError(e)
						? new WorkflowFatalError("instance.output_not_serialisable", `run() returned a value which is not serialisable: ${(e as Error).message}`)
						: e,
				),
			);
			return;
		}
		this.#end({ kind: "complete", output: data }, [this.#record({ kind: "finished", status: "complete" })]);
	}

	#fail(error: ErrorRecord): void {
		if (this.#closed) return;
		const reported: ErrorRecord = { name: error.name, message: error.message };
		this.#end({ kind: "errored", error: reported }, [this.#record({ kind: "finished", status: "errored", error })]);
	}

	/** A failure no catch can stop: the instance errors now, whatever the code does next. */
	#fatal(error: WorkflowFatalError): void {
		this.#fail(toErrorRecord(error));
	}

	#end(outcome: ActivationOutcome, records: JournalRecord[]): void {
		this.#closed = true;
		const batch = [...this.#staged.splice(0), ...records];
		this.#deps.store
			.completeActivation(this.lease, batch, outcome, this.#deps.clock.now())
			.catch((e) => {
				if (!(e instanceof LeaseLostError)) this.#deps.onError(e, this);
			})
			.finally(() => this.#deps.onEnd(this));
	}

	#lost(e: unknown): void {
		if (!(e instanceof LeaseLostError)) this.#deps.onError(e, this);
		this.abort();
	}
}

/** The version of the code that ran the instance last: the latest journaled one, else its creator's. */
function lastVersion(created: string | null, entries: readonly JournalEntry[]): string | null {
	for (let i = entries.length - 1; i >= 0; i--) {
		const e = entries[i] as JournalEntry;
		if (e.kind === "version") return e.version;
	}
	return created;
}

function unstorable(stepName: string, e: unknown): WorkflowFatalError {
	if (e instanceof WorkflowFatalError) return e;
	return new WorkflowFatalError(
		"step.output_not_serialisable",
		`The execution of the Workflow instance was terminated, as the step "${stepName}" returned a value which is not serialisable`,
		{ cause: e },
	);
}
