// Rollback (saga) handlers: the optional last argument of step.do. When an instance fails, the
// handlers of the steps that registered one run in reverse order of the steps' start, each
// through the retry and timeout machinery with its `rollbackConfig`, journaled like steps (under
// `rollback:<step key>`), so a crash in the middle of the chain resumes it and never runs a
// completed handler again. The chain stops at the first handler that fails.
import { ValidationError } from "./errors.js";
import { bodyConfig, type ResolvedStepConfig, type WorkflowStepConfig } from "./step-config.js";
import type { WorkflowStepContext } from "./workflow-entrypoint.js";

export interface RollbackArgs<T = unknown> {
	/** The step's own context (its last attempt, its config), frozen; the same object for every attempt of the handler. */
	ctx: WorkflowStepContext;
	/** The error that failed the instance. */
	error: Error;
	/** The step's output, or undefined when the step itself failed. */
	output: T | undefined;
	/** "<name>-<count>" ("charge-1"), as Cloudflare gives it. @deprecated as on Cloudflare: use ctx.step. */
	stepName: string;
}

export interface RollbackOptions<T = unknown> {
	rollback: (args: RollbackArgs<T>) => unknown;
	/** Retries and timeout of each handler (defaults as for a step: 5 retries, 10 s exponential, 10 minutes). */
	rollbackConfig?: Pick<WorkflowStepConfig, "retries" | "timeout">;
}

/** How the chain ended, as `status().rollback` shows it. */
export interface RollbackOutcome {
	outcome: "complete" | "failed";
	error: { name: string; message: string } | null;
}

export interface RegisteredRollback {
	key: string;
	name: string;
	count: number;
	/** The step's config as the code gave it: the handler's ctx shows it resolved when the step has no attempt journaled. */
	config: unknown;
	options: RollbackOptions;
}

/**
 * The event `terminate({ rollback: true })` sends: the activation that takes it runs the chain
 * and ends the instance as terminated. Its payload names the generation it is for, so a restart
 * does not inherit it. Not a type a user can send (it has a "/").
 */
export const TERMINATE_EVENT = "weft/terminate-with-rollback";

/** The error an instance terminated with rollback records (details() show it; status() has no error for a terminated instance). */
export const TERMINATED = { name: "WorkflowTerminated", message: "the instance was terminated with rollback" } as const;

/** The error the handlers of a terminated instance get: a plain Error with Cloudflare's message. */
export const TERMINATION_CAUSE = { name: "Error", message: "Instance terminated during rollback" } as const;

/** The journal key of a step's rollback handler. */
export function rollbackKey(stepKey: string): string {
	return `rollback:${stepKey}`;
}

/** Checks step.do's last argument; undefined when there is none. */
export function checkRollbackOptions(step: string, options: unknown): RollbackOptions | undefined {
	if (options === undefined) return undefined;
	const o = options as Partial<RollbackOptions> | null;
	if (typeof o !== "object" || o === null || typeof o.rollback !== "function")
		throw new ValidationError(
			"step.invalid_rollback",
			`step "${step}": the last argument of step.do must be { rollback: async ({ ctx, error, output }) => …, rollbackConfig? }, with rollback a function`,
		);
	for (const k of Object.keys(o))
		if (k !== "rollback" && k !== "rollbackConfig")
			throw new ValidationError("step.invalid_rollback", `step "${step}": unknown rollback option "${k}"; the options are rollback and rollbackConfig`);
	return o as RollbackOptions;
}

/** The handlers registered in this run, in the order their steps started (each step once). */
export class RollbackRegistry {
	readonly #byKey = new Map<string, RegisteredRollback>();

	register(key: string, name: string, count: number, config: unknown, options: RollbackOptions): void {
		if (!this.#byKey.has(key)) this.#byKey.set(key, { key, name, count, config, options });
	}

	get size(): number {
		return this.#byKey.size;
	}

	/** Last started first. */
	reversed(): RegisteredRollback[] {
		return [...this.#byKey.values()].reverse();
	}
}

/** The `stepName` a handler gets: the step's name and count, as Cloudflare names steps ("charge-1"). */
export function rollbackStepName(name: string, count: number): string {
	return `${name}-${count}`;
}

/**
 * The `ctx` a step's handler gets, as on Cloudflare: the step's own context — its last attempt
 * and its config as its body saw it — not the handler's, frozen, and one object for every attempt
 * of the handler (a retry sees what the first attempt saw). `signal`, Weft's addition (not
 * enumerable), is the running handler attempt's: it aborts when that attempt times out.
 */
export function rollbackContext(name: string, count: number, attempt: number, config: ResolvedStepConfig, signal: () => AbortSignal): WorkflowStepContext {
	const shown = bodyConfig(config);
	Object.freeze(shown.retries);
	const ctx = { step: Object.freeze({ name, count }), attempt, config: Object.freeze(shown) };
	Object.defineProperty(ctx, "signal", { get: signal, enumerable: false });
	return Object.freeze(ctx) as WorkflowStepContext;
}
