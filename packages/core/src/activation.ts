// One pass of a worker over an instance: run `run()` from the top, answer each step from the
// journal when it is there and execute it when it is not, commit what happened, and stop when
// the code finishes, fails, or reaches something that must wait. Suspension is not an
// exception: a step that must wait returns a promise that never settles, and the activation
// ends once nothing is left in flight.
import { ActivationTrace } from "./activation-trace.js";
import { AttemptLogs, type LogCapture } from "./attempt-logs.js";
import type { Clock } from "./clock.js";
import { parseDuration, tryParseDuration, type WorkflowDuration } from "./duration.js";
import type { ActivationEnd, ActivationInfo, EngineObserver, TimerReport } from "./engine-observer.js";
import {
	type ErrorRecord,
	fromErrorRecord,
	LeaseLostError,
	NonRetryableDelayError,
	SleepInPastError,
	toErrorRecord,
	ValidationError,
	WorkflowFatalError,
	WorkflowTimeoutError,
} from "./errors.js";
import { type AttemptEntry, decodeJournal, type JournalEntry, JournalView, type StepKind, stepKey } from "./journal.js";
import { LazyAbort } from "./lazy-abort.js";
import {
	checkRollbackOptions,
	type RollbackOutcome,
	RollbackRegistry,
	rollbackContext,
	rollbackKey,
	rollbackStepName,
	TERMINATE_EVENT,
	TERMINATED,
	TERMINATION_CAUSE,
} from "./rollback.js";
import { type ChildOutcome, childNotice, withParent } from "./run-child.js";
import { scheduleOfInstanceId } from "./schedule-instance-id.js";
import { isCloneError, MAX_VALUE_BYTES, type Serializer } from "./serializer.js";
import {
	DEFAULT_STEP_CONFIG,
	type DynamicDelay,
	dynamicDelayOf,
	type ResolvedStepConfig,
	resolveStepConfig,
	retryDelayMs,
	timeoutMs,
	type WorkflowStepConfig,
} from "./step-config.js";
import type { ReplayObserver, StepInterceptor, StepRequest } from "./step-hooks.js";
import { DEFAULT_STEP_LIMIT, stepLimitError } from "./step-limit.js";
import { type StepFunction, sameConfig, stepContext, stepRequest } from "./step-request.js";
import { drainStream, isReadableStream, isStoredStream, StreamNotStorable, toReadableStream } from "./step-stream.js";
import {
	type ActivationOutcome,
	type ChildNotice,
	type Claimed,
	type EventRecord,
	type JournalRecord,
	journalSeq,
	type Lease,
	SEQS_PER_EPOCH,
	type Store,
} from "./store.js";
import type { WorkflowClass, WorkflowEvent, WorkflowStep, WorkflowStepContext, WorkflowStepEvent } from "./workflow-entrypoint.js";

export interface ActivationDeps {
	store: Store;
	clock: Clock;
	serializer: Serializer;
	workflowClass: WorkflowClass;
	env: unknown;
	/** End the activation after every committed step, so each step replays from the store (a test mode). */
	alwaysReplay: boolean;
	/** False: an uncaught NonRetryableError ends the instance as Cloudflare without its flag reports it (EngineOptions). */
	preserveNonRetryableErrorMessage?: boolean;
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
	/** The workflow's limits.steps (default 10,000). */
	stepLimit?: number;
	/** Told about attempts, timers and the activation's end (metrics, logs); see engine-observer.ts. */
	observer?: EngineObserver;
	/** Runs step bodies so that their console output lands in the attempt's journal entry. */
	captureLogs?: LogCapture;
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
/** Cloudflare's default and maximum of limits.steps. */
const MAX_STACK_CHARS = 4096;
/** The instance error for an uncaught NonRetryableError without Cloudflare's preserve flag, in Cloudflare's words. */
const UNHANDLED_NON_RETRYABLE: ErrorRecord = {
	name: "WorkflowFatalError",
	message: "The execution of the Workflow instance was terminated, as a step threw an NonRetryableError and it was not handled",
};
/** How long a retries.delay function may take to answer, as on Cloudflare. */
const DELAY_FUNCTION_TIMEOUT_MS = 5000;

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
	readonly #attempts = new Set<LazyAbort>();
	/** Commits issued by #commitBehind and not yet acknowledged, and the latest of them. */
	#unacked = 0;
	#lastCommit: Promise<void> = Promise.resolve();
	#suspendedDues: number[] = [];
	#checkQueued = false;
	#pauseRequested: boolean;
	#closed = false;
	/** The handlers step.do calls registered in this run, and whether the chain has begun. */
	readonly #rollbacks = new RollbackRegistry();
	#rollingBack = false;
	/** step.do calls in this run, replayed ones included (limits.steps; sleeps and waits do not count, as on Cloudflare). */
	#steps = 0;
	readonly #stepLimit: number;
	/** terminate({ rollback: true }) was asked: no new step runs; the chain runs, then the instance is terminated. */
	#terminating = false;
	/** Spans of this activation, when an OpenTelemetry SDK is registered. */
	#trace: ActivationTrace | null = null;
	/** When the journal was last written before this activation: a timer due after it fires now, for the first time. */
	readonly #lastWriteAt: number;
	/** What the observer is told about this activation. */
	readonly #info: ActivationInfo;

	constructor(claimed: Claimed, deps: ActivationDeps) {
		this.lease = claimed.lease;
		this.#claimed = claimed;
		this.#deps = deps;
		this.#stepLimit = deps.stepLimit ?? DEFAULT_STEP_LIMIT;
		const entries = deps.decodedJournal ?? decodeJournal(claimed.journal, deps.serializer);
		this.#view = new JournalView(entries);
		if (deps.divergence === "hold") {
			for (const [i, e] of entries.entries())
				if ((e.kind === "attempt" || e.kind === "sleep" || e.kind === "wait") && !this.#journalSteps.has(e.key)) this.#journalSteps.set(e.key, i);
		}
		this.#events = claimed.events;
		this.#pauseRequested = claimed.instance.pauseRequested;
		this.#terminating = claimed.events.some(
			(e) => e.type === TERMINATE_EVENT && (deps.serializer.decode(e.payload) as { generation?: number })?.generation === claimed.instance.generation,
		);
		this.#lastWriteAt = claimed.journal.at(-1)?.at ?? 0;
		this.#info = { workflow: claimed.lease.workflow, id: claimed.lease.id, epoch: claimed.lease.epoch, createdAt: claimed.instance.createdAt };
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
	/** terminate({ rollback: true }): the next step the code asks for (or its end) starts the rollback chain instead. */
	requestTermination(): void {
		this.#terminating = true;
	}
	/** The instance was terminated or restarted elsewhere: drop everything, write nothing more. */
	abort(): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const a of this.#attempts)
			a.abort(new LeaseLostError("the instance was terminated, restarted or claimed elsewhere; this attempt's result will not be used"));
		this.#attempts.clear();
		this.#ended("aborted");
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
			...scheduleField(instance.id),
		}) as WorkflowEvent;
		const step = this.#stepApi();
		if (!this.#deps.replay) {
			this.#trace = ActivationTrace.start(instance, this.lease.epoch, this.#deps.clock.now());
			this.#deps.observer?.activationStarted?.(this.#info);
		}
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
		// Each function hands itself on: a replay report that needs the call site reads the stack above it.
		const stepDo = ((name: string, configOrCallback: unknown, maybeCallback?: unknown, maybeRollback?: unknown) => {
			const [config, callback, rollback] =
				typeof configOrCallback === "function" ? [undefined, configOrCallback, maybeCallback] : [configOrCallback, maybeCallback, maybeRollback];
			return this.#do(name, config, callback as (ctx: WorkflowStepContext) => unknown, stepDo, rollback);
		}) as WorkflowStep["do"];
		const sleep: WorkflowStep["sleep"] = (name, duration) => this.#sleep(name, duration, sleep);
		const sleepUntil: WorkflowStep["sleepUntil"] = (name, timestamp) => this.#sleepUntil(name, timestamp, sleepUntil);
		const waitForEvent = ((name, options) => this.#waitForEvent(name, options, waitForEvent)) as WorkflowStep["waitForEvent"];
		return { do: stepDo, sleep, sleepUntil, waitForEvent };
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

	async #do(name: string, config: unknown, callback: (ctx: WorkflowStepContext) => unknown, called: StepFunction, rollback?: unknown): Promise<unknown> {
		// As on Cloudflare: every step.do of the run counts, replayed ones too (so a replay fails
		// at the same call), and the one past the limit throws into the code, which may catch it.
		if (++this.#steps > this.#stepLimit) throw stepLimitError(this.#stepLimit);
		const count = this.#nextCount("do", name);
		const key = stepKey("do", name, count);
		// Registered on every run, replays included: a failure later in the run rolls this step back.
		const handler = checkRollbackOptions(name, rollback);
		if (handler) this.#rollbacks.register(key, name, count, config, handler);
		if (this.#deps.divergence === "hold") this.#requested.add(key);
		const replay = this.#deps.replay;
		if (typeof callback !== "function") throw new ValidationError("step.invalid_callback", `step "${name}" needs a callback function as its last argument`);
		const final = this.#view.finals.get(key);
		if (replay) {
			const request = stepRequest("do", name, count, key, called);
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
		if (this.#terminating) return this.#terminateNow();
		return this.#execute(key, name, count, resolved, callback, false, dynamicDelayOf(config));
	}

	/**
	 * Runs a step's attempts (or a rollback handler's, `rollback`): waits out a pending retry,
	 * then attempts until one succeeds or the retries are spent, journaling each. Returns the
	 * value, throws the final error, or suspends (a retry wait, a pause).
	 */
	async #execute(
		key: string,
		name: string,
		count: number,
		resolved: ResolvedStepConfig,
		callback: (ctx: WorkflowStepContext) => unknown,
		rollback: boolean,
		dynamicDelay?: DynamicDelay,
	): Promise<unknown> {
		const retry = this.#view.retries.get(key);
		if (retry && this.#view.effective(retry) > this.#deps.clock.now()) return this.#suspend(this.#view.effective(retry));
		if (this.#pauseRequested) return this.#suspend(this.#deps.clock.now());
		// The backoff ended: the next attempt starts now (once, whatever was written since the failure).
		if (retry) this.#timerFired("retry", name, this.#view.effective(retry), true);

		const { clock } = this.#deps;
		let attempt = (this.#view.attempts.get(key)?.length ?? 0) + 1;
		for (;;) {
			// Code outside steps may run ahead of the disk; a step body, which may act on the world, may not.
			if (this.#unacked > 0) await this.#lastCommit;
			if (this.#closed) return never();
			// A worker that cannot renew its leases starts nothing new: the step waits for a worker that can.
			if (this.#deps.mayStartStep?.() === false) return this.#suspend(clock.now());
			const startedAt = clock.now();
			const attemptAbort = new LazyAbort();
			const ctx = withParent(stepContext(name, count, attempt, resolved, attemptAbort), this.lease);
			this.#busy++;
			let ok = true;
			let value: unknown;
			let error: ErrorRecord | undefined;
			let thrown: unknown;
			const logs = this.#deps.captureLogs ? new AttemptLogs(clock) : null;
			const span = this.#trace?.attemptStarted(key, name, count, attempt, startedAt);
			try {
				this.#attempts.add(attemptAbort);
				// The test kit's mocks stand in for step bodies, not for rollback handlers.
				const mock = rollback ? undefined : this.#deps.intercept?.attempt?.({ name, count, attempt });
				if (mock === undefined)
					value = await this.#withTimeout(
						this.#body(() => withStreamRead(name, callback(ctx)), logs, span),
						timeoutMs(resolved),
						attemptAbort,
					);
				else if ("value" in mock) value = mock.value;
				else throw "error" in mock ? mock.error : new WorkflowTimeoutError(timeoutMs(resolved));
			} catch (e) {
				ok = false;
				thrown = e;
				error = toErrorRecord(e);
				if (error.stack && error.stack.length > MAX_STACK_CHARS) error.stack = error.stack.slice(0, MAX_STACK_CHARS);
				// A returned stream that cannot be stored fails the instance, as an oversized value does.
				if (e instanceof StreamNotStorable) {
					this.#attempts.delete(attemptAbort);
					this.#busy--;
					this.#fatal(e);
					return never();
				}
			}
			this.#attempts.delete(attemptAbort);
			const lines = logs?.close();
			if (this.#closed) return never();
			const endedAt = clock.now();
			if (ok) {
				const entry: AttemptEntry = { kind: "attempt", key, name, count, attempt, config: resolved, startedAt, endedAt, ok: true, value, final: true };
				if (lines) entry.logs = lines;
				this.#attemptEnded(entry, span);
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
				if (isStoredStream(value)) return toReadableStream(value);
				return (this.#deps.serializer.decode(record.data) as AttemptEntry).value;
			}
			const err = error as ErrorRecord;
			let stop = err.name === "NonRetryableError" || attempt > resolved.retries.limit;
			let configured = 0;
			/** Set when the delay function failed: the step fails with it, its retries unused. */
			let delayFailure: ErrorRecord | undefined;
			if (!stop && dynamicDelay) {
				const asked = await this.#askDelay(name, count, attempt, resolved, attemptAbort, dynamicDelay, thrown instanceof Error ? thrown : fromErrorRecord(err));
				if (this.#closed) return never();
				if (typeof asked === "number") configured = retryDelayMs(resolved, attempt, asked);
				else {
					delayFailure = asked;
					stop = true;
				}
			} else if (!stop) configured = retryDelayMs(resolved, attempt);
			const delayMs = stop ? 0 : (this.#deps.intercept?.retryDelay?.({ name, count, attempt }, configured) ?? configured);
			const entry: AttemptEntry = { kind: "attempt", key, name, count, attempt, config: resolved, startedAt, endedAt, ok: false, error: err, final: stop };
			if (delayFailure) entry.stepError = delayFailure;
			if (!stop) entry.retryAt = endedAt + delayMs;
			if (lines) entry.logs = lines;
			this.#attemptEnded(entry, span);
			this.#busy--;
			this.#view.add(entry);
			if (stop) {
				this.#commitBehind([this.#record(entry)]);
				throw fromErrorRecord(delayFailure ?? err);
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
		if (entry.ok) return isStoredStream(entry.value) ? toReadableStream(entry.value) : entry.value;
		throw fromErrorRecord(entry.stepError ?? (entry.error as ErrorRecord));
	}

	/**
	 * A retry's base delay from the step's delay function (the backoff is applied by the caller),
	 * or, when the function throws, answers a promise that does not settle within 5 seconds, or
	 * answers something that is not a delay, the NonRetryableDelayError the step fails with, in
	 * Cloudflare's words (which name the step "<name>-<count>").
	 */
	async #askDelay(
		name: string,
		count: number,
		attempt: number,
		resolved: ResolvedStepConfig,
		abort: LazyAbort,
		delay: DynamicDelay,
		error: Error,
	): Promise<number | ErrorRecord> {
		const failure = (code: string, reason: string): ErrorRecord => {
			const e = new NonRetryableDelayError(code, `The delay function for step "${name}-${count}" ${reason}`);
			return { ...toErrorRecord(e), code };
		};
		let value: unknown;
		try {
			value = delay({ ctx: stepContext(name, count, attempt, resolved, abort), error });
			if (isThenable(value)) {
				const answered = await this.#within(value, DELAY_FUNCTION_TIMEOUT_MS);
				if (!answered) return failure("step.delay_function_timeout", `did not return within ${DELAY_FUNCTION_TIMEOUT_MS / 1000} seconds`);
				value = answered.value;
			}
		} catch (e) {
			return failure("step.delay_function_threw", `threw an error: ${e instanceof Error ? e.message : String(e)}`);
		}
		const ms = tryParseDuration(value);
		if (ms === undefined)
			return failure("step.delay_function_invalid", 'returned an invalid delay value (expected a number of ms or a duration string like "30 seconds")');
		return ms;
	}

	/** What `promise` settles to, or undefined when `ms` pass first (on the engine's clock). */
	#within(promise: PromiseLike<unknown>, ms: number): Promise<{ value: unknown } | undefined> {
		return new Promise((resolve, reject) => {
			const cancel = this.#deps.clock.setTimer(() => resolve(undefined), ms);
			promise.then(
				(value) => {
					cancel();
					resolve({ value });
				},
				(e) => {
					cancel();
					reject(e);
				},
			);
		});
	}

	#withTimeout(fn: () => unknown, ms: number, abort: LazyAbort): Promise<unknown> {
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

	async #sleep(name: string, duration: WorkflowDuration | number, called: StepFunction): Promise<void> {
		const count = this.#nextCount("sleep", name);
		const key = stepKey("sleep", name, count);
		const requested = parseDuration(duration, `sleep "${name}" duration`);
		const ms = this.#deps.intercept?.sleep?.({ name, count }, requested) ?? requested;
		const now = this.#deps.clock.now();
		return this.#timer(stepRequest("sleep", name, count, key, called), now + ms, now);
	}

	async #sleepUntil(name: string, timestamp: Date | number, called: StepFunction): Promise<void> {
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
		return this.#timer(stepRequest("sleep", name, count, key, called), shortened, now);
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
			if (due > now) return this.#suspend(due);
			if (this.#timerFired("sleep", name, due)) this.#trace?.waited("sleep", name, known.startedAt, due);
			return;
		}
		if (this.#deps.divergence === "hold" && (await this.#diverges("sleep", name, request.count, key))) return this.#suspend(now);
		if (this.#pauseRequested || this.#closed) return this.#suspend(now);
		if (this.#terminating) return this.#terminateNow();
		this.#stage({ kind: "sleep", key, name, startedAt: now, until });
		if (until > now) return this.#suspend(until);
		this.#trace?.waited("sleep", name, now, now);
	}

	async #waitForEvent(name: string, options: { type: string; timeout?: WorkflowDuration | number }, called: StepFunction): Promise<WorkflowStepEvent> {
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
			const request = stepRequest("waitForEvent", name, count, key, called);
			if (!received && !timedOut) {
				this.#deps.replay.missing(request);
				return never();
			}
			this.#deps.replay.served(request);
		}
		if (received) return structuredClone(received.event) as WorkflowStepEvent;
		if (timedOut) throw new WorkflowTimeoutError(timedOut.timeoutMs);
		if (this.#terminating) return this.#terminateNow();
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
			this.#trace?.waited("waitForEvent", name, (wait as NonNullable<typeof wait>).startedAt, clock.now(), { "weft.event.type": type });
			if (this.#deps.alwaysReplay) return this.#suspend(clock.now());
			return (serializer.decode(record.data) as { event: WorkflowStepEvent }).event;
		}
		const due = this.#view.effective(wait as NonNullable<typeof wait>);
		if (due > now) return this.#suspend(due);
		this.#timerFired("waitTimeout", name, due);
		this.#trace?.waited("waitForEvent", name, (wait as NonNullable<typeof wait>).startedAt, now, { "weft.event.type": type, "weft.event.timed_out": true });
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
		if (this.#terminating && !this.#rollingBack) return this.#terminateNow();
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
		if (this.#terminating) {
			this.#terminateNow();
			return;
		}
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
		const notify = this.#noticeToParent({ status: "complete", output });
		this.#end({ kind: "complete", output: data, ...(notify ? { notify } : {}) }, [this.#record({ kind: "finished", status: "complete" })]);
	}

	/** What this instance's end tells the parent that started it as a child (runChild), if it has one. */
	#noticeToParent(outcome: ChildOutcome): ChildNotice | undefined {
		const { instance } = this.#claimed;
		return instance.parent ? childNotice(instance, outcome, this.#deps.serializer) : undefined;
	}

	#fail(error: ErrorRecord): void {
		if (this.#closed || this.#rollingBack) return;
		if (this.#terminating) {
			this.#terminateNow();
			return;
		}
		if (this.#rollbacks.size === 0) {
			this.#endErrored(error, undefined);
			return;
		}
		// The steps that registered a handler are rolled back first; the instance errors after.
		this.#rollingBack = true;
		this.#suspendedDues = [];
		this.#rollBack(error).then((outcome) => this.#endErrored(error, outcome));
	}

	/**
	 * Starts the rollback chain of a termination (once); the instance ends terminated after it.
	 * Waits for the turn to end first, so the steps the code asked for in it register their handlers.
	 */
	#terminateNow(): Promise<never> {
		if (!this.#rollingBack && !this.#closed) {
			this.#rollingBack = true;
			this.#suspendedDues = [];
			setImmediate(() => this.#rollBack(TERMINATION_CAUSE).then((outcome) => this.#endTerminated(outcome)));
		}
		return never();
	}

	#endTerminated(outcome: RollbackOutcome): void {
		if (this.#closed) return;
		const error: ErrorRecord = { ...TERMINATED, ...(this.#rollbacks.size > 0 ? { rollback: outcome } : {}) };
		const notify = this.#noticeToParent({ status: "terminated" });
		this.#end({ kind: "terminated", error, ...(notify ? { notify } : {}) }, [this.#record({ kind: "finished", status: "terminated", error })]);
	}

	#endErrored(thrown: ErrorRecord, rollback: RollbackOutcome | undefined): void {
		if (this.#closed) return;
		// Only the instance's error changes; the rollback handlers got the error as it was thrown.
		const error = thrown.name === "NonRetryableError" && this.#deps.preserveNonRetryableErrorMessage === false ? UNHANDLED_NON_RETRYABLE : thrown;
		const reported: ErrorRecord = { name: error.name, message: error.message, ...(rollback ? { rollback } : {}) };
		const notify = this.#noticeToParent({ status: "errored", error: { name: error.name, message: error.message } });
		this.#end({ kind: "errored", error: reported, ...(notify ? { notify } : {}) }, [
			this.#record({ kind: "finished", status: "errored", error: rollback ? { ...error, rollback } : error }),
		]);
	}

	/**
	 * The rollback chain: the registered handlers, last started first, each through the retry
	 * machinery under its own journal key. One already completed (an earlier activation ran it)
	 * is not run again; the chain stops at the first that fails. A retry wait suspends the
	 * activation, and the next one, replaying to the same failure, picks the chain up there.
	 */
	async #rollBack(cause: ErrorRecord): Promise<RollbackOutcome> {
		for (const r of this.#rollbacks.reversed()) {
			const key = rollbackKey(r.key);
			const done = this.#view.finals.get(key);
			if (done?.ok) continue;
			if (done) return { outcome: "failed", error: plainError(done.error) };
			try {
				const resolved = this.#view.attempts.get(key)?.[0]?.config ?? resolveStepConfig(r.name, r.options.rollbackConfig as WorkflowStepConfig | undefined);
				const step = this.#view.finals.get(r.key);
				const output = step?.ok ? step.value : undefined;
				// The handler sees the step's context, not its own (as on Cloudflare): the step's last
				// attempt (1 when it never ran one) and its config, journaled or as the code gave it.
				const stepAttempts = this.#view.attempts.get(r.key);
				let signal: AbortSignal | undefined;
				const ctx = rollbackContext(
					r.name,
					r.count,
					stepAttempts?.at(-1)?.attempt ?? 1,
					stepAttempts?.[0]?.config ?? configOrDefault(r.name, r.config),
					() => signal as AbortSignal,
				);
				const stepName = rollbackStepName(r.name, r.count);
				await this.#execute(
					key,
					r.name,
					r.count,
					resolved,
					(attemptCtx) => {
						signal = attemptCtx.signal;
						return r.options.rollback({ ctx, error: fromErrorRecord(cause), output, stepName });
					},
					true,
					dynamicDelayOf(r.options.rollbackConfig),
				);
			} catch (e) {
				return { outcome: "failed", error: plainError(toErrorRecord(e)) };
			}
		}
		return { outcome: "complete", error: null };
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
			.then(
				() => this.#ended(outcome.kind, outcome.kind === "errored" ? outcome.error : undefined),
				(e) => {
					this.#ended("aborted");
					if (!(e instanceof LeaseLostError)) this.#deps.onError(e, this);
				},
			)
			.finally(() => this.#deps.onEnd(this));
	}

	/** A step body, run with its console captured and its attempt span active, when those are on. */
	#body(body: () => unknown, logs: AttemptLogs | null, span: ReturnType<ActivationTrace["attemptStarted"]> | undefined): () => unknown {
		const capture = this.#deps.captureLogs;
		const captured = logs && capture ? () => capture.run(logs, body) : body;
		const trace = this.#trace;
		return span && trace ? () => trace.run(span, captured) : captured;
	}

	#attemptEnded(entry: AttemptEntry, span: ReturnType<ActivationTrace["attemptStarted"]> | undefined): void {
		if (span) this.#trace?.attemptEnded(entry.key, span, entry.ok, entry.error, entry.final, entry.endedAt);
		const observer = this.#deps.observer;
		if (!observer?.attemptEnded) return;
		observer.attemptEnded({
			workflow: this.lease.workflow,
			id: this.lease.id,
			step: entry.name,
			count: entry.count,
			attempt: entry.attempt,
			ok: entry.ok,
			startedAt: entry.startedAt,
			endedAt: entry.endedAt,
			...(entry.retryAt !== undefined ? { retryAt: entry.retryAt } : {}),
			...(entry.error ? { error: { name: entry.error.name, message: entry.error.message } } : {}),
			logLines: entry.logs?.length ?? 0,
		});
	}

	/**
	 * A timer this activation acts on: reported only the first time (it came due after the
	 * journal's last write, or `once`: the caller acts on it only once), with how late it is.
	 * Returns whether it was the first time.
	 */
	#timerFired(kind: TimerReport["kind"], step: string, dueAt: number, once = false): boolean {
		if ((!once && dueAt <= this.#lastWriteAt) || this.#deps.replay) return false;
		this.#deps.observer?.timerFired?.({ workflow: this.lease.workflow, id: this.lease.id, kind, step, dueAt, firedAt: this.#deps.clock.now() });
		return true;
	}

	/** Tells the observer and the trace how the activation ended (once: callers hold #closed). */
	#ended(how: ActivationEnd, error?: { name: string; message: string }): void {
		if (this.#deps.replay) return;
		this.#trace?.end(how, this.#deps.clock.now(), error);
		this.#deps.observer?.activationEnded?.(this.#info, how, error);
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

/** `{ schedule }` for an instance a cron firing created (its id says which), else nothing. */
function scheduleField(id: string): { schedule?: WorkflowEvent["schedule"] } {
	const schedule = scheduleOfInstanceId(id);
	return schedule ? { schedule } : {};
}

/** A step's config resolved, or the defaults when it is invalid (the step threw for it; its handler still runs). */
function configOrDefault(name: string, config: unknown): ResolvedStepConfig {
	try {
		return resolveStepConfig(name, config);
	} catch {
		return DEFAULT_STEP_CONFIG;
	}
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
	return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** A body's result, with a returned ReadableStream read to its end (inside the attempt, so under its timeout). */
function withStreamRead(step: string, result: unknown): unknown {
	if (isReadableStream(result)) return drainStream(step, result);
	if (result instanceof Promise) return result.then((v) => (isReadableStream(v) ? drainStream(step, v) : v));
	return result;
}

function plainError(e: ErrorRecord | undefined): { name: string; message: string } | null {
	return e ? { name: e.name, message: e.message } : null;
}
