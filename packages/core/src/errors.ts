// Every error Weft throws on purpose carries a stable string `code`; callers branch on `code`
// (or `instanceof`), never on the message. Names and messages follow Cloudflare Workflows where
// user code can see them, so code written for Cloudflare catches the same things.

export class WeftError extends Error {
	override name = "WeftError";
	readonly code: string;
	constructor(code: string, message: string, options?: ErrorOptions) {
		super(message, options);
		this.code = code;
	}
}

/** A management call that Cloudflare answers with a `WorkflowError` (already exists, cannot terminate, …). */
export class WorkflowError extends WeftError {
	override name = "WorkflowError";
}

/**
 * `get()` of an instance that does not exist. Cloudflare throws a plain `Error` whose message is
 * the bare code, so the name stays "Error" on purpose: code ported from Cloudflare may compare
 * `e.message === "instance.not_found"`. Weft code should use `code` or `instanceof`.
 */
export class InstanceNotFoundError extends WeftError {
	override name = "Error";
	constructor(options?: ErrorOptions) {
		super("instance.not_found", "instance.not_found", options);
	}
}

/** Thrown by a step body to stop its retries at once. Recognised by name, as Cloudflare does. */
export class NonRetryableError extends Error {
	constructor(message: string, name = "NonRetryableError") {
		super(message);
		this.name = name;
	}
}

/**
 * Cloudflare's error for a broken rule of the engine's: an invalid step config or the step limit
 * (thrown into the code, which may catch it), or a value that cannot be stored (which ends the
 * instance whatever the code does).
 */
export class WorkflowFatalError extends WeftError {
	override name = "WorkflowFatalError";
}

/**
 * A step's `retries.delay` function threw, did not answer within 5 seconds, or answered with
 * something that is not a delay: the step fails at once with this error, whatever retries it had
 * left, as Cloudflare's does (its class of the same name extends WorkflowFatalError too). Codes:
 * `step.delay_function_threw`, `step.delay_function_timeout`, `step.delay_function_invalid`.
 */
export class NonRetryableDelayError extends WorkflowFatalError {
	override name = "NonRetryableDelayError";
}

/** A step attempt or an event wait that ran out of time. */
export class WorkflowTimeoutError extends WeftError {
	override name = "WorkflowTimeoutError";
	constructor(timeoutMs: number) {
		super("step.timeout", `Execution timed out after ${timeoutMs}ms`);
	}
}

/** Bad input to a Weft API (not a Cloudflare-shaped error): invalid names, params, durations, options. */
export class ValidationError extends WeftError {
	override name = "ValidationError";
}

/** A write under a lease that is no longer current (the instance was claimed again, terminated or restarted). */
export class LeaseLostError extends WeftError {
	override name = "LeaseLostError";
	constructor(message = "the lease on this instance is no longer held; the write was rejected") {
		super("lease.lost", message);
	}
}

/** A plain record of an error, as journaled and as reported by `status()`. */
export interface ErrorRecord {
	name: string;
	message: string;
	stack?: string;
	/** The stable code of an error Weft made (kept only where a caught error must carry it: NonRetryableDelayError). */
	code?: string;
	/** An errored instance's rollback chain, when it had one (kept with the error, which it belongs to). */
	rollback?: { outcome: "complete" | "failed"; error: { name: string; message: string } | null };
}

export function toErrorRecord(e: unknown): ErrorRecord {
	if (e instanceof Error) {
		const record: ErrorRecord = { name: e.name || "Error", message: e.message };
		if (e.stack) record.stack = e.stack;
		return record;
	}
	return { name: "Error", message: typeof e === "string" ? e : String(e) };
}

/**
 * The error a workflow sees when a journaled failure is re-thrown: a plain Error with the
 * recorded name, identical on the first run and on every replay (so it is never an
 * `instanceof NonRetryableError`, as on Cloudflare).
 */
export function fromErrorRecord(r: ErrorRecord): Error {
	const e = new Error(r.message);
	e.name = r.name;
	if (r.stack) e.stack = r.stack;
	if (r.code !== undefined) (e as Error & { code?: string }).code = r.code;
	return e;
}

/** `sleepUntil` a time already past; a plain "Error" by name, as Cloudflare reports it. */
export class SleepInPastError extends WeftError {
	override name = "Error";
	constructor() {
		super("step.sleep_in_past", "You can't sleep until a time in the past, time-traveler");
	}
}
