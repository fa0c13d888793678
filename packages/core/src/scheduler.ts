// The scheduler: claims due instances within the concurrency limits, runs their activations,
// keeps their leases, and arms one timer for the next due time (plus a polling backstop when
// other processes share the store).
import { Activation } from "./activation.js";
import type { LogCapture } from "./attempt-logs.js";
import type { Clock } from "./clock.js";
import type { EngineObserver } from "./engine-observer.js";
import { toErrorRecord } from "./errors.js";
import type { Serializer } from "./serializer.js";
import type { StepInterceptor } from "./step-hooks.js";
import type { Claimed, ClaimSlot, InstanceKey, Lease, Store } from "./store.js";
import type { WorkflowClass } from "./workflow-entrypoint.js";

/** A workflow as the scheduler sees it. */
export interface ScheduledWorkflow {
	name: string;
	cls: WorkflowClass;
	/** Activations of this workflow that may run at once. */
	limit: number;
	/** What to do when code parts from an instance's journal (see ActivationDeps.divergence). */
	divergence: "run" | "hold";
	/** The version of the code (see WorkflowRegistration.version); journaled when an activation runs under a new one. */
	version: string;
	/** limits.steps. */
	stepLimit: number;
}

export interface SchedulerOptions {
	store: Store;
	clock: Clock;
	serializer: Serializer;
	workflows: ReadonlyMap<string, ScheduledWorkflow>;
	env: unknown;
	leaseMs: number;
	maxActivations: number;
	pollMs: number | null;
	alwaysReplay: boolean;
	/** EngineOptions.preserveNonRetryableErrorMessage. */
	preserveNonRetryableErrorMessage: boolean;
	interceptorFor(key: InstanceKey): StepInterceptor | undefined;
	observer?: EngineObserver | undefined;
	captureLogs?: LogCapture | undefined;
	/** An activation under the "hold" policy found a divergence: pause the instance. */
	onDivergence(key: InstanceKey, message: string): void;
	onError(error: unknown, context: string): void;
}

/** The most instances one claim takes; overdue work drains in batches of this size. */
const CLAIM_BATCH = 1024;

export function activeKey(key: InstanceKey): string {
	return `${key.workflow}\u0000${key.id}`;
}

export class Scheduler {
	readonly #o: SchedulerOptions;
	readonly #active = new Map<string, Activation>();
	readonly #activePerWorkflow = new Map<string, number>();
	#started = false;
	#closing = false;
	#ticking = false;
	#tickAgain = false;
	#cancelWakeTimer: (() => void) | null = null;
	/** Armed only while activations run here: an idle engine has no lease to renew (and a test's clock.advance("7 days") no renewals to step through). */
	#cancelRenewTimer: (() => void) | null = null;
	#idleWaiters: (() => void)[] = [];
	/** When leases were last renewed (or there were none to renew). */
	#renewedAt = 0;

	constructor(options: SchedulerOptions) {
		this.#o = options;
	}

	start(): void {
		this.#started = true;
		this.wake();
	}

	/** The activation running this instance in this process, if any. */
	live(key: InstanceKey): Activation | undefined {
		return this.#active.get(activeKey(key));
	}

	/**
	 * False once leases have gone unrenewed for two thirds of their life (the store is
	 * unreachable, say): this worker then claims nothing and starts no step body, so nothing runs
	 * under a lease that may already belong to another worker.
	 */
	leaseHealthy(): boolean {
		return this.#cancelRenewTimer === null || this.#o.clock.now() - this.#renewedAt < (this.#o.leaseMs * 2) / 3;
	}

	get activeCount(): number {
		return this.#active.size;
	}

	/** Asks for a look for due work soon (coalesced). */
	wake(): void {
		if (!this.#started || this.#closing) return;
		if (this.#ticking) {
			this.#tickAgain = true;
			return;
		}
		this.#ticking = true;
		setImmediate(() => void this.#tick());
	}

	async #tick(): Promise<void> {
		const { store, clock } = this.#o;
		try {
			do {
				this.#tickAgain = false;
				const slots = this.#freeSlots();
				if (slots.length === 0 || this.#closing) break;
				// The next renewal that succeeds wakes the scheduler again.
				if (!this.leaseHealthy()) return;
				const claims = await store.claimActivations({ slots, now: clock.now(), leaseMs: this.#o.leaseMs });
				for (const claimed of claims) {
					// One instance that cannot even be set up (its journal will not decode: a missing
					// encryption key, say) must not keep the rest of the batch from running.
					try {
						this.#run(claimed);
					} catch (e) {
						this.#o.onError(e, `starting ${claimed.lease.workflow}/${claimed.lease.id}`);
					}
				}
				// A slot claimed in full means more may be due: go again at once.
				const taken = new Map<string, number>();
				for (const c of claims) taken.set(c.lease.workflow, (taken.get(c.lease.workflow) ?? 0) + 1);
				if (slots.some((s) => taken.get(s.workflow) === s.limit)) this.#tickAgain = true;
			} while (this.#tickAgain && !this.#closing);
			if (!this.#closing) await this.#armWakeTimer();
		} catch (e) {
			this.#o.onError(e, "claiming due instances");
			this.#arm(1000);
		} finally {
			this.#ticking = false;
			if (this.#tickAgain) this.wake();
		}
	}

	/**
	 * How many instances of each workflow may start now: its own concurrency limit, and an even
	 * share of what the engine's limit leaves (at most CLAIM_BATCH per claim), so a workflow with a
	 * deep backlog cannot starve the others. Whatever a share leaves unused goes round again.
	 */
	#freeSlots(): ClaimSlot[] {
		const free = Math.min(this.#o.maxActivations - this.#active.size, CLAIM_BATCH);
		if (free <= 0) return [];
		const running = (w: ScheduledWorkflow) => this.#activePerWorkflow.get(w.name) ?? 0;
		const open = [...this.#o.workflows.values()].filter((w) => w.limit > running(w));
		const share = Math.ceil(free / Math.max(1, open.length));
		return open.map((w) => ({ workflow: w.name, limit: Math.min(share, w.limit - running(w)) }));
	}

	async #armWakeTimer(): Promise<void> {
		const next = await this.#o.store.nextWakeAt(this.#freeSlots().map((s) => s.workflow));
		if (this.#closing) return;
		const untilNext = next === null ? Number.POSITIVE_INFINITY : Math.max(0, next - this.#o.clock.now());
		const poll = this.#o.pollMs === null ? Number.POSITIVE_INFINITY : this.#o.pollMs * (0.8 + 0.4 * Math.random());
		this.#arm(Math.min(untilNext, poll));
	}

	#arm(delayMs: number): void {
		this.#cancelWakeTimer?.();
		this.#cancelWakeTimer = delayMs === Number.POSITIVE_INFINITY ? null : this.#o.clock.setTimer(() => this.wake(), delayMs);
	}

	#run(claimed: Claimed): void {
		const o = this.#o;
		const workflow = o.workflows.get(claimed.instance.workflow) as ScheduledWorkflow;
		const key = activeKey(claimed.lease);
		this.#active.get(key)?.abort();
		const intercept = o.interceptorFor(claimed.lease);
		const activation = new Activation(claimed, {
			store: o.store,
			clock: o.clock,
			serializer: o.serializer,
			workflowClass: workflow.cls,
			env: o.env,
			alwaysReplay: o.alwaysReplay,
			...(o.preserveNonRetryableErrorMessage ? {} : { preserveNonRetryableErrorMessage: false }),
			version: workflow.version,
			stepLimit: workflow.stepLimit,
			mayStartStep: () => this.leaseHealthy(),
			...(o.observer ? { observer: o.observer } : {}),
			...(o.captureLogs ? { captureLogs: o.captureLogs } : {}),
			...(intercept ? { intercept } : {}),
			...(workflow.divergence === "hold" ? { divergence: "hold" as const, onDivergence: (message: string) => o.onDivergence(claimed.lease, message) } : {}),
			onEnd: (a) => {
				if (this.#active.get(key) === a) {
					this.#active.delete(key);
					this.#activePerWorkflow.set(workflow.name, (this.#activePerWorkflow.get(workflow.name) ?? 1) - 1);
				}
				this.wake();
				if (this.#active.size === 0) for (const w of this.#idleWaiters.splice(0)) w();
			},
			onError: (e) => o.onError(e, `instance ${claimed.lease.workflow}/${claimed.lease.id}`),
		});
		this.#active.set(key, activation);
		if (this.#cancelRenewTimer === null && !this.#closing) {
			this.#renewedAt = o.clock.now();
			this.#scheduleRenewal();
		}
		this.#activePerWorkflow.set(workflow.name, (this.#activePerWorkflow.get(workflow.name) ?? 0) + 1);
		activation.start();
	}

	#scheduleRenewal(): void {
		const { store, clock, leaseMs } = this.#o;
		this.#cancelRenewTimer = clock.setTimer(
			async () => {
				if (this.#closing) return;
				const live = [...this.#active.values()];
				if (live.length === 0) {
					// Nothing held: no renewals until the next claim arms them again.
					this.#cancelRenewTimer = null;
					return;
				}
				try {
					const lost = await store.renewLeases(
						live.map((a) => a.lease),
						clock.now(),
						leaseMs,
					);
					for (const l of lost) this.#active.get(activeKey(l))?.abort();
					const wasHealthy = this.leaseHealthy();
					this.#renewedAt = clock.now();
					if (!wasHealthy) this.wake();
				} catch (e) {
					this.#o.onError(toErrorRecord(e), "renewing leases");
				}
				this.#scheduleRenewal();
			},
			Math.max(50, Math.floor(leaseMs / 3)),
		);
	}

	/**
	 * Stops claiming and gives running activations up to `graceMs` to end, then abandons the rest;
	 * returns their leases.
	 */
	async stop(graceMs: number): Promise<Lease[]> {
		this.#closing = true;
		this.#cancelWakeTimer?.();
		this.#cancelRenewTimer?.();
		if (this.#active.size > 0 && graceMs > 0) {
			await new Promise<void>((resolve) => {
				const cancel = this.#o.clock.setTimer(resolve, graceMs);
				this.#idleWaiters.push(() => {
					cancel();
					resolve();
				});
			});
		}
		const abandoned = [...this.#active.values()];
		for (const a of abandoned) a.abort();
		return abandoned.map((a) => a.lease);
	}
}
