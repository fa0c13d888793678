import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { RequestError } from "./request-error.js";

/** Requires `Authorization: Bearer <token>` on every request. Compared in constant time. */
export function bearerAuth(token: string): MiddlewareHandler {
	const expected = digest(token);
	const challenge = { "www-authenticate": 'Bearer realm="weft"' };
	return async (c, next) => {
		const header = c.req.header("authorization");
		if (!header)
			throw new RequestError(
				"auth.missing_token",
				"this server requires a bearer token: send Authorization: Bearer <token> (weft CLI: --token or WEFT_TOKEN)",
				challenge,
			);
		const match = /^Bearer\s+(.+)$/i.exec(header);
		if (!match || !timingSafeEqual(digest(match[1] as string), expected))
			throw new RequestError("auth.invalid_token", "the bearer token is not this server's token", challenge);
		await next();
	};
}

const digest = (s: string) => createHash("sha256").update(s).digest();
