import { WeftError } from "@weft/core";

/** A request the HTTP layer refuses before (or instead of) asking the engine: bad JSON, no token, too fast, no such route. */
export class RequestError extends WeftError {
	override name = "RequestError";
	/** Headers the answer must carry (Retry-After, Allow, WWW-Authenticate). */
	readonly headers: Record<string, string>;
	constructor(code: string, message: string, headers: Record<string, string> = {}) {
		super(code, message);
		this.headers = headers;
	}
}
