// What every route handler shares: the engine, the creation rate limiter, what the config says
// about each workflow, and the open event streams (so shutdown can end them).

import type { Retention, WorkflowScheduleInfo } from "@weft/client";
import { type Engine, isValidInstanceId, ValidationError, type WorkflowBinding, WorkflowError } from "@weft/core";
import type { CreationRateLimiter } from "./creation-rate-limiter.js";

/** What the project config says about a workflow, beyond what the engine knows. */
export interface WorkflowInfo {
	name: string;
	className: string;
	module: string;
	concurrency: { limit: number } | null;
	retention: Retention | null;
	/** The workflow's cron schedules with their next firing (from the process's cron trigger). */
	schedules?: () => WorkflowScheduleInfo[];
}

export interface ApiContext {
	engine: Engine;
	limiter: CreationRateLimiter | null;
	info: ReadonlyMap<string, WorkflowInfo>;
	/** One per open event stream; shutdown aborts them all, which ends the streams. */
	streams: Set<AbortController>;
	streamPollMs: number;
	heartbeatMs: number;
	log: (error: unknown) => void;
}

/** The binding of the workflow with exactly this name (not a binding name), or `workflow.not_found`. */
export function workflowByName(ctx: ApiContext, name: string): WorkflowBinding {
	const binding = ctx.engine.workflow(name);
	if (binding.workflowName !== name)
		throw new ValidationError("workflow.not_found", `no workflow named "${name}" is registered (the API takes workflow names, not binding names)`);
	return binding;
}

/** Checks an instance id from a URL before it reaches the store. */
export function checkInstanceId(id: string): string {
	if (!isValidInstanceId(id))
		throw new WorkflowError(
			"instance.invalid_id",
			`instance id ${JSON.stringify(String(id).slice(0, 120))} is invalid: use 1–100 letters, digits, "_" or "-", not starting with "-"`,
		);
	return id;
}
