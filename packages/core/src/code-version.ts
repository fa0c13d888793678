// The version of a workflow's code that an instance records: the one its registration names, or
// a hash of the class's source text, so a change to run() or a step body yields a new version
// without anyone remembering to bump a number (docs/replay.md#versions).
import { createHash } from "node:crypto";
import { ValidationError } from "./errors.js";

const VERSION_PATTERN = /^[\x21-\x7e]{1,64}$/;

/** Twelve hex digits of SHA-256 over the class's source: stable across restarts and machines. */
export function hashVersion(source: string): string {
	return createHash("sha256").update(source).digest("hex").slice(0, 12);
}

export function codeVersion(workflow: string, cls: { toString(): string }, declared: unknown): string {
	if (declared === undefined) return hashVersion(cls.toString());
	if (typeof declared !== "string" || !VERSION_PATTERN.test(declared))
		throw new ValidationError(
			"workflow.invalid_version",
			`workflow "${workflow}" version must be 1–64 printable characters without spaces (e.g. "2026-11-25" or a git sha), not ${JSON.stringify(declared)}`,
		);
	return declared;
}
