// Without a token the server trusts whoever can reach 127.0.0.1, which includes every web page
// open in the user's browser. Two checks keep those pages out: a request whose Origin is another
// site (a cross-site POST needs no preflight) is refused, and so is one whose Host is not a
// loopback name (DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1).
// The CLI, curl and the client send no Origin and a loopback Host, so they are not affected.
import type { MiddlewareHandler } from "hono";
import { RequestError } from "./request-error.js";

const LOOPBACK_NAMES = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

function hostnameOf(hostHeader: string): string {
	return hostHeader.startsWith("[") ? hostHeader.slice(0, hostHeader.indexOf("]") + 1) : (hostHeader.split(":")[0] ?? "");
}

export function localOnlyGuard(): MiddlewareHandler {
	return async (c, next) => {
		const host = c.req.header("host") ?? "";
		if (!LOOPBACK_NAMES.test(hostnameOf(host)))
			throw new RequestError(
				"request.forbidden_host",
				`this server has no token, so it answers only requests addressed to 127.0.0.1 or localhost, not ${JSON.stringify(host)}`,
			);
		const origin = c.req.header("origin");
		if (origin !== undefined && origin !== "null") {
			let hostname = "";
			try {
				hostname = new URL(origin).host;
			} catch {}
			if (!LOOPBACK_NAMES.test(hostnameOf(hostname)))
				throw new RequestError(
					"request.forbidden_origin",
					`requests from web pages on ${JSON.stringify(origin)} are refused; set a token to use the API from elsewhere`,
				);
		} else if (origin === "null") throw new RequestError("request.forbidden_origin", "requests from opaque origins are refused");
		await next();
	};
}
