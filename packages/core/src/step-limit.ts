// limits.steps: how many step.do calls a run may make, as on Cloudflare (sleeps and waits do not count).
import { WorkflowFatalError } from "./errors.js";

export const DEFAULT_STEP_LIMIT = 10_000;
export const MAX_STEP_LIMIT = 25_000;

/** Cloudflare's error for the step.do past `limits.steps`, with Weft's stable code. */
export function stepLimitError(limit: number): WorkflowFatalError {
	return new WorkflowFatalError("instance.step_limit", `The limit of ${limit} steps has been reached. This limit can be changed in your worker configuration.`);
}
