import type { WorkflowDuration } from "./duration.js";
import type { RollbackOptions } from "./rollback.js";
import type { WorkflowSchedule } from "./schedule-instance-id.js";
import type { ResolvedStepConfig, WorkflowStepConfig } from "./step-config.js";

/** The first argument of `run()`: immutable, identical on every replay. */
export interface WorkflowEvent<Params = unknown> {
	readonly payload: Readonly<Params>;
	readonly timestamp: Date;
	readonly instanceId: string;
	readonly workflowName: string;
	/** Present only on instances a cron schedule created: which cron, and which firing. */
	readonly schedule?: WorkflowSchedule;
}

/** What a step body receives. */
export interface WorkflowStepContext {
	step: { name: string; count: number };
	attempt: number;
	config: ResolvedStepConfig;
	/**
	 * Weft's addition: aborted when this attempt's result can no longer be used — it timed out,
	 * or the instance was terminated, restarted or taken over by another worker. Pass it to
	 * fetch() and friends to stop work nobody will read.
	 */
	signal: AbortSignal;
}

export interface WorkflowStepEvent<T = unknown> {
	payload: Readonly<T>;
	timestamp: Date;
	type: string;
}

export interface WorkflowStep {
	do<T>(name: string, callback: (ctx: WorkflowStepContext) => Promise<T> | T, rollback?: RollbackOptions<T>): Promise<T>;
	do<T>(name: string, config: WorkflowStepConfig, callback: (ctx: WorkflowStepContext) => Promise<T> | T, rollback?: RollbackOptions<T>): Promise<T>;
	sleep(name: string, duration: WorkflowDuration | number): Promise<void>;
	sleepUntil(name: string, timestamp: Date | number): Promise<void>;
	waitForEvent<T = unknown>(name: string, options: { type: string; timeout?: WorkflowDuration | number }): Promise<WorkflowStepEvent<T>>;
}

/** What `this.ctx` holds in a workflow (Cloudflare passes an ExecutionContext). */
export interface WorkflowExecutionContext {
	/** Lets a promise finish after `run()` returns; Weft simply lets it run. */
	waitUntil(promise: Promise<unknown>): void;
}

/** Extend this class and implement `run()`, exactly as for Cloudflare Workflows. */
export abstract class WorkflowEntrypoint<Env = unknown, Params = unknown> {
	protected readonly ctx: WorkflowExecutionContext;
	protected readonly env: Env;
	constructor(ctx: WorkflowExecutionContext, env: Env) {
		this.ctx = ctx;
		this.env = env;
	}
	abstract run(event: Readonly<WorkflowEvent<Params>>, step: WorkflowStep): Promise<unknown>;
}

export type WorkflowClass<Env = unknown, Params = unknown> = new (ctx: WorkflowExecutionContext, env: Env) => WorkflowEntrypoint<Env, Params>;

/** Any class that extends WorkflowEntrypoint, whatever its Env and Params (for registration). */
export type AnyWorkflowClass = new (...args: never[]) => { run(event: never, step: WorkflowStep): Promise<unknown> };
