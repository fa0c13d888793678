/**
 * An error answered by a Weft server (or met on the way to it), re-thrown with the same stable
 * `code` the in-process engine would use (`instance.not_found`, `instance.already_exists`, …), so
 * code can branch on `code` whether it talks to an engine or to a server.
 */
export class WeftApiError extends Error {
	override name = "WeftApiError";
	readonly code: string;
	/** The HTTP status, or 0 when no answer came (connection refused, bad URL). */
	readonly status: number;
	/** From `Retry-After` on a 429: how long to wait before trying again. */
	readonly retryAfterSeconds: number | null;
	constructor(code: string, message: string, status: number, options?: ErrorOptions & { retryAfterSeconds?: number | null }) {
		super(message, options);
		this.code = code;
		this.status = status;
		this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
	}
}
