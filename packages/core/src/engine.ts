// The engine: the workflows it knows, the scheduler that claims due instances and runs their
// activations, and the management operations behind every binding. It does no I/O of its own:
// the Store, the Clock and the Serializer are handed in.

import type { LogCapture } from "./attempt-logs.js";
import { type Clock, systemClock } from "./clock.js";
import { codeVersion } from "./code-version.js";
import { parseDuration, type WorkflowDuration } from "./duration.js";
import { sealErrorRecords } from "./encrypting-serializer.js";
import type { EngineObserver } from "./engine-observer.js";
import { InstanceNotFoundError, ValidationError, WorkflowError } from "./errors.js";
import { forkJournal } from "./fork-journal.js";
import { type History, toHistory } from "./history.js";
import { countInstances, type ListInstancesOptions, listInstances, readEntries } from "./inspection.js";
import { InstanceEventLog, type SubscribeOptions, type WorkflowInstanceEvent } from "./instance-events.js";
import { uuidv7 } from "./instance-id.js";
import { decodeJournal, type FinishedEntry, type Positioned, type ResumedEntry, type StepKind, stepKey } from "./journal.js";
import { assertWorkflowName, isValidInstanceId } from "./names.js";
import { purgeFinished, type ResolvedRetention, type RetentionConfig, RetentionPurge, resolveRetention } from "./retention-purge.js";
import { TERMINATE_EVENT } from "./rollback.js";
import { childNotice } from "./run-child.js";
import { activeKey, type ScheduledWorkflow, Scheduler } from "./scheduler.js";
import { isCloneError, MAX_VALUE_BYTES, type Serializer, toJsonValue, v8Serializer } from "./serializer.js";
import type { StepInterceptor } from "./step-hooks.js";
import { DEFAULT_STEP_LIMIT, MAX_STEP_LIMIT } from "./step-limit.js";
import { describeStoredStream, isStoredStream } from "./step-stream.js";
import type { InstanceKey, InstanceRecord, InstanceStatusName, NewJournalRecord, Store } from "./store.js";
import { TERMINAL_STATUSES } from "./store.js";
import { parseSubscribeOptions } from "./subscribe-options.js";
import { describeInstance, type InstanceDetails } from "./timeline.js";
import { WorkflowBinding } from "./workflow-binding.js";
import type { AnyWorkflowClass, WorkflowClass, WorkflowEvent } from "./workflow-entrypoint.js";

export interface WorkflowRegistration {
	/** The workflow's name (as `name` in wrangler.jsonc); defaults to the binding name. */
	name?: string;
	class: AnyWorkflowClass;
	/** At most this many instances of the workflow run at once; the rest stay queued. */
	concurrency?: { limit: number };
	/**
	 * When new code asks for a step an instance's journal does not hold while the journal still
	 * holds steps the code has not reached: "run" the new step (default, as Cloudflare does), or
	 * "hold" the instance paused with the reason in its timeline until it is resumed after a fix
	 * or restarted from a step.
	 */
	onDivergence?: "run" | "hold";
	/** Steps and waits an instance may use (sleeps do not count): default 10,000, at most 25,000, as on Cloudflare. */
	limits?: { steps?: number };
	/** How long finished instances are kept before the engine deletes them (Cloudflare's default_retention); kept for ever without. */
	retention?: RetentionConfig;
	/**
	 * The version of this workflow's code, recorded on every instance it creates and on each
	 * activation that runs under another one (default: a hash of the class's source).
	 */
	version?: string;
	/** Whether the binding is put on `env` (default true): false for Weft's own workflows, which the user's code never calls. */
	onEnv?: boolean;
}

export interface EngineOptions<W extends WorkflowMap = WorkflowMap> {
	store: Store;
	/** Binding name → workflow class (or `{ name, class }`). Each binding is also put on `env`. */
	workflows: W;
	/** What workflows see as `this.env`, besides the bindings. */
	env?: Record<string, unknown>;
	clock?: Clock;
	serializer?: Serializer;
	/** How long a claim holds an instance without renewal (default 30 s). */
	leaseMs?: number;
	/** Instances running at once in this process, across all workflows (default 1,000); each workflow may also have its own `concurrency.limit`. */
	maxActivations?: number;
	/**
	 * Ends every activation after each committed step so the next step runs in a fresh
	 * activation replayed from the store (default false).
	 * Slower; it exists to prove that replay gives the same results as running straight through.
	 */
	alwaysReplay?: boolean;
	/**
	 * How often to look for due work that nothing announced (ms). Default: never for a store
	 * this engine alone writes (it sees every change), 1,000 for a store shared with other
	 * processes (one with `onWake`), as a backstop to its notifications. Jittered by ±20%.
	 */
	pollMs?: number;
	/** Where errors of the engine's own machinery go (default: console.error). */
	onError?: (error: unknown, context: string) => void;
	/** Told about instances, activations, attempts and timers as they happen (metrics, logs: @weft/telemetry). */
	observer?: EngineObserver;
	/** Runs step bodies so their console output is kept with each attempt (e.g. consoleCapture()); default: not captured. */
	captureLogs?: LogCapture;
	/**
	 * Cloudflare's `workflows_preserve_non_retryable_error_message` (default true): an uncaught
	 * NonRetryableError is the instance's error as it was thrown. False gives what Cloudflare gives
	 * without the flag: a WorkflowFatalError saying a step threw one and it was not handled.
	 */
	preserveNonRetryableErrorMessage?: boolean;
}

export interface InstanceStatus {
	status: InstanceStatusName;
	output?: unknown;
	error?: { name: string; message: string };
	/** How the rollback handlers ran, when the instance failed with some registered (docs/rollback.md). */
	rollback?: { outcome: "complete" | "failed"; error: { name: string; message: string } | null };
}

export interface RestartOptions {
	from?: { name: string; count?: number; type?: StepKind };
}

export interface TerminateOptions {
	/** Run the rollback handlers first (docs/rollback.md); the instance ends terminated after them. */
	rollback?: boolean;
}

export interface ForkOptions extends RestartOptions {
	/** The fork's id (default: a new UUIDv7). */
	id?: string;
	/** The fork's params (default: the original's). */
	params?: unknown;
}

interface Registered extends ScheduledWorkflow {
	binding: string;
}

/** The workflows option of an engine: binding name → class or registration. */
export type WorkflowMap = Record<string, AnyWorkflowClass | WorkflowRegistration>;

/** The Params type of a workflow class, read from its run(event) signature. */
export type ParamsOf<C> = C extends { class: infer K }
	? ParamsOf<K>
	: C extends new (
				...args: never[]
			) => { run(event: WorkflowEvent<infer P>, ...rest: never[]): unknown }
		? P
		: unknown;

/** The Output type of a workflow class: what its run() resolves to. */
export type OutputOf<C> = C extends { class: infer K }
	? OutputOf<K>
	: C extends new (
				...args: never[]
			) => { run(...args: never[]): infer R }
		? Awaited<R>
		: unknown;

/** The binding of a workflow class, for typing `env`: `{ REPORT: BindingOf<typeof ReportWorkflow> }`. */
export type BindingOf<C> = WorkflowBinding<ParamsOf<C>, OutputOf<C>>;

/** Bindings typed from the workflows option, so `engine.bindings.CHECKOUT.create({ params })` checks its params. */
export type Bindings<W extends WorkflowMap> = { readonly [K in keyof W]: BindingOf<W[K]> };

export class Engine<W extends WorkflowMap = WorkflowMap> {
	readonly store: Store;
	readonly clock: Clock;
	readonly serializer: Serializer;
	/** Workflow bindings by binding name, as on `env`. */
	readonly bindings: Bindings<W>;
	readonly env: Readonly<Record<string, unknown>>;
	readonly #byName = new Map<string, Registered>();
	readonly #interceptors = new Map<string, StepInterceptor>();
	readonly #scheduler: Scheduler;
	readonly #observer: EngineObserver | undefined;
	#unsubscribeWake: (() => void) | null = null;
	readonly #purge: RetentionPurge;
	readonly #onError: (error: unknown, context: string) => void;
	readonly #closeHooks: (() => Promise<void>)[] = [];
	#started = false;
	#closing = false;

	constructor(options: EngineOptions<W>) {
		// An encrypting serializer also seals the error records stores keep outside it (docs/encryption.md).
		this.store = sealErrorRecords(options.store, options.serializer ?? v8Serializer);
		this.clock = options.clock ?? systemClock;
		this.serializer = options.serializer ?? v8Serializer;
		const onError = options.onError ?? ((e, context) => console.error(`[weft] ${context}:`, e));
		this.#onError = onError;
		this.#observer = options.observer;
		if (options.observer) options.store.observe?.(options.observer);
		const bindings: Record<string, WorkflowBinding> = {};
		const envBindings: Record<string, WorkflowBinding> = {};
		const retentions = new Map<string, ResolvedRetention>();
		for (const [binding, entry] of Object.entries(options.workflows)) {
			const reg = typeof entry === "function" ? { class: entry } : entry;
			if (typeof reg?.class !== "function")
				throw new ValidationError("workflow.invalid_class", `workflow binding "${binding}" must be a class that extends WorkflowEntrypoint`);
			const name = reg.name ?? binding;
			assertWorkflowName(name);
			if (this.#byName.has(name))
				throw new ValidationError("workflow.duplicate_name", `two bindings register the workflow name "${name}"; each workflow needs its own name`);
			const limit = reg.concurrency?.limit ?? Number.POSITIVE_INFINITY;
			if (!(limit >= 1))
				throw new ValidationError("workflow.invalid_concurrency", `workflow "${name}" concurrency.limit must be a number ≥ 1, not ${reg.concurrency?.limit}`);
			const divergence = reg.onDivergence ?? "run";
			if (divergence !== "run" && divergence !== "hold")
				throw new ValidationError(
					"workflow.invalid_divergence_policy",
					`workflow "${name}" onDivergence must be "run" or "hold", not ${JSON.stringify(divergence)}`,
				);
			const version = codeVersion(name, reg.class, reg.version);
			const stepLimit = reg.limits?.steps ?? DEFAULT_STEP_LIMIT;
			if (!Number.isInteger(stepLimit) || stepLimit < 1 || stepLimit > MAX_STEP_LIMIT)
				throw new ValidationError(
					"workflow.invalid_limits",
					`workflow "${name}" limits.steps must be an integer from 1 to ${MAX_STEP_LIMIT}, not ${reg.limits?.steps}`,
				);
			this.#byName.set(name, { name, binding, cls: reg.class as unknown as WorkflowClass, limit, divergence, version, stepLimit });
			const retention = resolveRetention(name, reg.retention);
			if (retention) retentions.set(name, retention);
			bindings[binding] = new WorkflowBinding(this, name);
			if (reg.onEnv !== false) envBindings[binding] = bindings[binding];
		}
		this.bindings = Object.freeze(bindings) as Bindings<W>;
		this.#purge = new RetentionPurge(this.store, this.clock, retentions, onError);
		this.env = Object.freeze({ ...options.env, ...envBindings });
		this.#scheduler = new Scheduler({
			store: this.store,
			clock: this.clock,
			serializer: this.serializer,
			workflows: this.#byName,
			env: this.env,
			leaseMs: options.leaseMs ?? 30_000,
			maxActivations: options.maxActivations ?? 1000,
			pollMs: options.pollMs ?? (options.store.onWake ? 1000 : null),
			alwaysReplay: options.alwaysReplay ?? false,
			preserveNonRetryableErrorMessage: options.preserveNonRetryableErrorMessage ?? true,
			interceptorFor: (key) =>
				this.#interceptors.size === 0 ? undefined : (this.#interceptors.get(activeKey(key)) ?? this.#interceptors.get(`${key.workflow}\u0000*`)),
			observer: options.observer,
			captureLogs: options.captureLogs,
			onDivergence: (key, message) => {
				this.#observer?.instanceHeld?.(key, message);
				this.pause(key).catch((e) => onError(e, `holding ${key.workflow}/${key.id}: ${message}`));
			},
			onError,
		});
	}

	/** Takes over every instance that was running, waiting or queued, and starts claiming. */
	async start(): Promise<void> {
		if (this.#started) return;
		this.#started = true;
		await this.store.releaseAllLeases(this.clock.now());
		this.#unsubscribeWake =
			this.store.onWake?.((workflow) => {
				if (workflow === null || this.#byName.has(workflow)) this.wake();
			}) ?? null;
		this.#scheduler.start();
		this.#purge.start();
	}

	/** The binding of a workflow, by binding name or workflow name. */
	workflow(nameOrBinding: string): WorkflowBinding {
		const all = this.bindings as Record<string, WorkflowBinding>;
		const b = all[nameOrBinding] ?? all[this.#byName.get(nameOrBinding)?.binding ?? ""];
		if (!b)
			throw new ValidationError("workflow.not_found", `no workflow named "${nameOrBinding}" is registered; known: ${[...this.#byName.keys()].join(", ")}`);
		return b;
	}

	// ─── management, behind WorkflowBinding and InstanceHandle ───────────────────────────────

	/** @internal */
	async createInstances(workflow: string, items: { id?: unknown; params?: unknown; parent?: InstanceKey }[]): Promise<{ id: string; created: boolean }[]> {
		const now = this.clock.now();
		const version = this.#byName.get(workflow)?.version ?? null;
		const prepared = items.map((item, index) => {
			if (item !== undefined && (typeof item !== "object" || item === null))
				throw new ValidationError(
					"instance.invalid_options",
					`create options${items.length > 1 ? ` at index ${index}` : ""} must be an object like { id?, params? }`,
				);
			const id = item?.id ?? uuidv7(now);
			if (!isValidInstanceId(id)) throw Object.assign(new WorkflowError("instance.invalid_id", "Workflow instance has invalid id"), { index, id });
			return { workflow, id, params: this.#encodeParams(item?.params), version, ...(item.parent ? { parent: item.parent } : {}) };
		});
		const outcomes = await this.store.createInstances(prepared, now);
		this.wake();
		if (this.#observer?.instancesCreated) {
			const created = outcomes.filter((o) => o.ok).length;
			if (created > 0) this.#observer.instancesCreated(workflow, created);
		}
		return prepared.map((p, i) => ({ id: p.id, created: outcomes[i]?.ok === true }));
	}

	#encodeParams(params: unknown): Uint8Array {
		let data: Uint8Array;
		try {
			data = this.serializer.encode(params);
		} catch (e) {
			if (isCloneError(e))
				throw new ValidationError(
					"instance.invalid_params",
					`params cannot be stored: ${(e as Error).message}; use structured-clone values (no functions, symbols or class instances with behaviour)`,
				);
			throw e;
		}
		if (data.byteLength > MAX_VALUE_BYTES)
			throw new ValidationError("instance.params_too_large", `params take ${data.byteLength} bytes once stored; the limit is 1 MiB`);
		return data;
	}

	/** @internal */
	async requireInstance(key: InstanceKey) {
		const record = await this.store.getInstance(key);
		if (!record) throw new InstanceNotFoundError();
		return record;
	}

	/** @internal */
	async status(key: InstanceKey): Promise<InstanceStatus> {
		const r = await this.requireInstance(key);
		const s: InstanceStatus = { status: r.status };
		if (TERMINAL_STATUSES.has(r.status)) s.output = r.status === "complete" && r.output ? toJsonValue(this.serializer.decode(r.output)) : null;
		if (r.status === "errored" && r.error) s.error = { name: r.error.name, message: r.error.message };
		if (r.error?.rollback) s.rollback = r.error.rollback;
		return s;
	}

	/** @internal */
	async details(key: InstanceKey): Promise<InstanceDetails> {
		const record = await this.requireInstance(key);
		return describeInstance(record, await this.store.readJournal(key), this.serializer);
	}

	/** The version of a workflow's code that this engine runs (see WorkflowRegistration.version). */
	versionOf(workflow: string): string {
		const w = this.#byName.get(this.workflow(workflow).workflowName);
		return (w as Registered).version;
	}

	/** The registered workflows with their instance counts by status. */
	async listWorkflows(): Promise<{ name: string; binding: string; instances: Partial<Record<InstanceStatusName, number>> }[]> {
		const counts = await countInstances(this.store, [...this.#byName.keys()]);
		return [...this.#byName.values()].map((w) => ({ name: w.name, binding: w.binding, instances: counts[w.name] ?? {} }));
	}

	/** A page of a workflow's instances, newest first; pass the returned cursor for the next page. */
	async listInstances(workflow: string, options?: ListInstancesOptions) {
		const name = this.workflow(workflow).workflowName;
		return listInstances(this.store, name, options);
	}

	/**
	 * The instance's journal entries after `afterSeq` (0: all), decoded, as operators see them
	 * (sensitive outputs redacted, a stream step's output described by its size); `seq` of the
	 * last is the next cursor.
	 */
	async readJournal(key: InstanceKey, afterSeq = 0): Promise<Positioned[]> {
		await this.requireInstance(key);
		return (await readEntries(this.store, this.serializer, key, afterSeq)).map((e) =>
			e.kind === "attempt" && e.ok && isStoredStream(e.value) ? { ...e, value: describeStoredStream(e.value) } : e,
		);
	}

	/**
	 * Cloudflare's `instance.subscribe()`: the events of the instance's current run, first its
	 * history, then live as they commit (polled every `pollMs` of real time), ending after its
	 * terminal event, or when it is deleted or restarted (a restart starts a new run, numbered
	 * from 1 again). See instance-events.ts for the event types and their numbering.
	 */
	subscribe(key: InstanceKey, options: SubscribeOptions & { pollMs?: number } = {}): AsyncGenerator<WorkflowInstanceEvent> {
		// Checked now, not at the first next(): bad options throw from the call, as on Cloudflare.
		const { after, types } = parseSubscribeOptions(options);
		return this.#follow(key, after, types, options.pollMs ?? 100);
	}

	async *#follow(key: InstanceKey, after: number, types: ReadonlySet<string> | null, pollMs: number): AsyncGenerator<WorkflowInstanceEvent> {
		const emit = (e: WorkflowInstanceEvent) => e.eventId > after && (types === null || types.has(e.type));
		const first = await this.requireInstance(key);
		const log = new InstanceEventLog(key.id);
		const queued = log.queued(first);
		if (emit(queued)) yield queued;
		// Entries read before the run started (kept by a restart from a step, or a resume) wait for
		// workflow_started, so they are numbered after it whenever the stream is read.
		const held: Positioned[] = [];
		let started = false;
		let seq = 0;
		for (;;) {
			const entries = await readEntries(this.store, this.serializer, key, seq);
			// Read after the journal: the row and the journal's last entry are written together, so a
			// terminal row means the read above had every entry; the same generation before and after
			// means it read this run's journal.
			const record = await this.store.getInstance(key);
			if (!record || record.generation !== first.generation) return;
			held.push(...entries);
			seq = entries.at(-1)?.seq ?? seq;
			if (!started && record.startedAt !== null) {
				started = true;
				for (const e of log.started(record.startedAt, this.serializer.decode(record.params))) if (emit(e)) yield e;
			}
			if (started || TERMINAL_STATUSES.has(record.status)) {
				for (const entry of held.splice(0))
					for (const e of log.entry(entry)) {
						if (e.type === "workflow_completed") e.output = record.output ? toJsonValue(this.serializer.decode(record.output)) : null;
						if (emit(e)) yield e;
						if (e.type === "workflow_completed" || e.type === "workflow_errored" || e.type === "workflow_terminated") return;
					}
			}
			await new Promise((r) => setTimeout(r, pollMs));
		}
	}

	/**
	 * Test support (@weft/testing): replaces what the steps of one instance (or, with id null,
	 * every instance of the workflow) do. Returns the function that removes it.
	 */
	intercept(workflow: string, id: string | null, interceptor: StepInterceptor): () => void {
		const key = id === null ? `${workflow}\u0000*` : activeKey({ workflow, id });
		this.#interceptors.set(key, interceptor);
		return () => {
			if (this.#interceptors.get(key) === interceptor) this.#interceptors.delete(key);
		};
	}

	/** The instance's journal as a self-contained, versioned history document (docs/history-format.md). */
	async exportHistory(key: InstanceKey): Promise<History> {
		const record = await this.requireInstance(key);
		return toHistory(record, await this.store.readJournal(key), this.serializer, this.clock.now());
	}

	/** @internal */
	async pause(key: InstanceKey): Promise<void> {
		const live = this.#scheduler.live(key);
		live?.requestPause();
		const r = await this.store.pause(key, this.clock.now(), live?.stepInFlight ?? false);
		if (r === "not_found") throw new InstanceNotFoundError();
	}

	/** @internal */
	async resume(key: InstanceKey): Promise<void> {
		const r = await this.store.resume(key, this.clock.now(), (pausedMs) => this.#record({ kind: "resumed", pausedMs }));
		if (r === "not_found") throw new InstanceNotFoundError();
		// The store fenced an activation still finishing under the pause; it replays from the journal.
		if (r === "ok") this.#scheduler.live(key)?.abort();
		this.wake();
	}

	/** @internal */
	async terminate(key: InstanceKey, options?: TerminateOptions): Promise<void> {
		const record = await this.requireInstance(key);
		if (options?.rollback) return this.#terminateWithRollback(key, record);
		const notice = childNotice({ ...key, parent: record.parent }, { status: "terminated" }, this.serializer);
		const r = await this.store.terminate(key, this.clock.now(), this.#record({ kind: "finished", status: "terminated" } satisfies FinishedEntry), notice);
		if (r === "not_found") throw new InstanceNotFoundError();
		if (r === "finished")
			throw new WorkflowError("instance.cannot_terminate", "(instance.cannot_terminate) Cannot terminate instance since its on a finite state");
		this.#scheduler.live(key)?.abort();
		this.#observer?.instanceTerminated?.(key);
		// The notice may have made the parent due.
		if (notice) this.wake();
		await this.#terminateChildren(key);
	}

	/** A terminated parent terminates its children, and theirs (docs/child-workflows.md). */
	async #terminateChildren(key: InstanceKey): Promise<void> {
		for (const child of await this.store.childrenOf(key)) {
			await this.terminate(child).catch((e) => {
				if (!(e instanceof WorkflowError && e.code === "instance.cannot_terminate")) throw e;
			});
		}
	}

	/** @internal Deletes instances with their journals, whatever their state; a live one stops at once. */
	async deleteInstances(keys: InstanceKey[]): Promise<("ok" | "not_found")[]> {
		const outcomes = await this.store.deleteInstances(keys);
		for (const [i, key] of keys.entries()) if (outcomes[i] === "ok") this.#scheduler.live(key)?.abort();
		return outcomes;
	}

	/**
	 * Deletes a workflow's finished instances (in `statuses`, default all three) that ended more than
	 * `olderThan` ago, in bounded batches; returns how many (`weft instances purge`).
	 */
	async purge(workflow: string, options: { olderThan?: WorkflowDuration | number; statuses?: InstanceStatusName[] } = {}): Promise<number> {
		const name = this.workflow(workflow).workflowName;
		const statuses = options.statuses ?? ["complete", "errored", "terminated"];
		for (const st of statuses)
			if (!TERMINAL_STATUSES.has(st))
				throw new ValidationError("purge.invalid_status", `only finished instances are purged: complete, errored or terminated, not ${JSON.stringify(st)}`);
		const olderThan = parseDuration(options.olderThan ?? 0, "purge olderThan");
		return purgeFinished(this.store, name, statuses, this.clock.now() - olderThan);
	}

	/**
	 * Asks the instance to roll back and end terminated: an event its next activation takes (a
	 * live one here is told at once), in this process or another. Its children are terminated
	 * now. Resolves once the chain has run and the instance is terminated, as Cloudflare's does
	 * (docs/cloudflare-observed.md) — or after TERMINATE_WAIT_MS, the chain still going (handlers
	 * with long retries, or no worker running).
	 */
	async #terminateWithRollback(key: InstanceKey, record: InstanceRecord): Promise<void> {
		const cannot = () => new WorkflowError("instance.cannot_terminate", "(instance.cannot_terminate) Cannot terminate instance since its on a finite state");
		if (TERMINAL_STATUSES.has(record.status)) throw cannot();
		const r = await this.store.sendEvent(key, TERMINATE_EVENT, this.serializer.encode({ generation: record.generation }), this.clock.now());
		if (r === "finished") throw cannot();
		// A paused instance must run to roll back.
		if (record.pauseRequested) await this.resume(key);
		this.#scheduler.live(key)?.requestTermination();
		this.wake();
		await this.#terminateChildren(key);
		// Real time, whatever the engine's clock: the chain runs in activations, which need no time to pass.
		const deadline = Date.now() + TERMINATE_WAIT_MS;
		while (!this.#closing && Date.now() < deadline) {
			const now = await this.store.getInstance(key);
			if (!now || now.generation !== record.generation || TERMINAL_STATUSES.has(now.status)) return;
			await new Promise((r) => setTimeout(r, 10));
		}
	}

	/** @internal */
	async restart(key: InstanceKey, options?: RestartOptions): Promise<void> {
		const from = options?.from;
		const fromKey = fromStepKey(from, "restart");
		const r = await this.store.restart(key, fromKey, this.clock.now(), await this.#consumedEvents(key));
		if (r === "not_found") throw new InstanceNotFoundError();
		if (r === "step_not_found")
			throw new WorkflowError("instance.cannot_restart", `(instance.cannot_restart) Step "${from?.name}" not found in execution history`);
		this.#scheduler.live(key)?.abort();
		this.wake();
	}

	/**
	 * The seqs of the events the current run took: a restart deletes them, so the new run waits for
	 * new ones, as on Cloudflare (events nobody took yet stay buffered for it). An event taken by a
	 * live activation between this read and the restart is the one left behind: it is delivered
	 * again, as every consumed event was before this existed.
	 */
	async #consumedEvents(key: InstanceKey): Promise<number[]> {
		const records = (await this.store.readJournal(key)).filter((r) => r.kind === "event");
		// Mocked events (the test kit's mockEvent) carry negative seqs and have no row.
		return decodeJournal(records, this.serializer).flatMap((e) => (e.kind === "event" && e.eventSeq > 0 ? [e.eventSeq] : []));
	}

	/**
	 * A new instance of the same workflow with the original's params (or `params`) and its journal
	 * up to `from` (nothing without it): the steps before `from` are answered from the copied
	 * journal, `from` and what follows run anew. The original is left untouched.
	 */
	async fork(key: InstanceKey, options: ForkOptions = {}): Promise<{ id: string }> {
		if (typeof options !== "object" || options === null)
			throw new ValidationError("instance.invalid_fork", "fork options must be an object like { from?, params?, id? }");
		const fromKey = fromStepKey(options.from, "fork");
		const source = await this.requireInstance(key);
		const registered = this.#byName.get(key.workflow);
		const id = options.id ?? uuidv7(this.clock.now());
		if (!isValidInstanceId(id)) throw new WorkflowError("instance.invalid_id", "Workflow instance has invalid id");
		const journal = fromKey === null ? [] : forkJournal(await this.store.readJournal(key), fromKey, this.serializer);
		if (journal === null) throw new WorkflowError("instance.cannot_fork", `(instance.cannot_fork) Step "${options.from?.name}" not found in execution history`);
		const params = "params" in options ? this.#encodeParams(options.params) : source.params;
		const [outcome] = await this.store.createInstances(
			[{ workflow: key.workflow, id, params, version: registered?.version ?? null, journal }],
			this.clock.now(),
		);
		if (!outcome?.ok) throw new WorkflowError("instance.already_exists", `(instance.already_exists) an instance with id "${id}" already exists`);
		this.wake();
		return { id };
	}

	/** @internal */
	async sendEvent(key: InstanceKey, event: { type: string; payload?: unknown }): Promise<void> {
		if (typeof event !== "object" || event === null || typeof event.type !== "string") {
			throw new ValidationError("event.invalid_type", "sendEvent needs { type, payload? } with type a string naming the event");
		}
		const payload = this.#encodeParams(event.payload);
		const r = await this.store.sendEvent(key, event.type, payload, this.clock.now());
		if (r === "not_found") throw new InstanceNotFoundError();
		this.wake();
	}

	#record(entry: ResumedEntry | FinishedEntry): NewJournalRecord {
		return { at: this.clock.now(), kind: entry.kind, key: null, data: this.serializer.encode(entry) };
	}

	/** Asks the scheduler to look for due work soon (coalesced). */
	wake(): void {
		this.#scheduler.wake();
	}

	/** Activations running right now (for tests and shutdown). */
	get activeCount(): number {
		return this.#scheduler.activeCount;
	}

	/**
	 * Runs `hook` when the engine closes: after its last activation ended, before its store closes
	 * (telemetry's last writes to a shared store go there).
	 */
	onClose(hook: () => Promise<void>): void {
		this.#closeHooks.push(hook);
	}

	/**
	 * Stops claiming, gives running activations up to `graceMs` to reach their next commit or
	 * suspension, hands back the leases of those still running (another worker takes them; on
	 * SQLite the next start does), runs the close hooks, then closes the store.
	 */
	async close({ graceMs = 5000 }: { graceMs?: number } = {}): Promise<void> {
		if (this.#closing) return;
		this.#closing = true;
		this.#unsubscribeWake?.();
		this.#purge.stop();
		const abandoned = await this.#scheduler.stop(graceMs);
		// Handed back rather than left to expire: another worker on the same store takes them now.
		await this.store.releaseLeases(abandoned, this.clock.now()).catch((e) => this.#onError(e, "releasing the leases of abandoned activations"));
		for (const hook of this.#closeHooks) await hook().catch((e) => this.#onError(e, "a close hook"));
		await this.store.close();
	}
}

/** The longest terminate({ rollback: true }) waits for the chain before it resolves anyway. */
const TERMINATE_WAIT_MS = 60_000;

/** The journal key of the step named by restart's or fork's `from`, or null without one. */
function fromStepKey(from: RestartOptions["from"], what: "restart" | "fork"): string | null {
	if (from === undefined) return null;
	if (typeof from !== "object" || from === null || typeof from.name !== "string")
		throw new ValidationError(
			`instance.invalid_${what}`,
			`${what} options.from must be { name, count?, type? } naming a step in the history, e.g. { from: { name: "charge" } }`,
		);
	return stepKey(from.type ?? "do", from.name, from.count ?? 1);
}
