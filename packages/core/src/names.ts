import { ValidationError } from "./errors.js";

/** Workflow names, instance ids: Cloudflare's pattern. */
export const NAME_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9-_]*$/;
export const MAX_WORKFLOW_NAME_LENGTH = 64;
export const MAX_INSTANCE_ID_LENGTH = 100;

export function isValidInstanceId(id: unknown): id is string {
	return typeof id === "string" && id.length <= MAX_INSTANCE_ID_LENGTH && NAME_PATTERN.test(id);
}

export function assertWorkflowName(name: unknown): asserts name is string {
	if (typeof name !== "string" || name.length > MAX_WORKFLOW_NAME_LENGTH || !NAME_PATTERN.test(name)) {
		throw new ValidationError(
			"workflow.invalid_name",
			`workflow name ${JSON.stringify(name)} is invalid: use 1–${MAX_WORKFLOW_NAME_LENGTH} characters of letters, digits, "_" and "-", not starting with "-"`,
		);
	}
}
