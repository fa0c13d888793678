// Without a token, the network position is the credential, so a page that any local web server
// serves (a dev server on localhost:5173, say) must not be able to drive the API: the loopback
// check lets those origins through. A state-changing request that comes from a web page must come
// from this server's own origin, i.e. the dashboard. Reads stay open to loopback pages (the
// browser does not let them read the answer anyway without CORS, which the server never sends).
// With a token nothing is ambient — a page cannot make the browser attach the token — so this
// check is not needed there.
import type { MiddlewareHandler } from "hono";
import { RequestError } from "./request-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function sameOriginWrites(): MiddlewareHandler {
	return async (c, next) => {
		if (!SAFE_METHODS.has(c.req.method)) {
			const origin = c.req.header("origin");
			const host = (c.req.header("host") ?? "").toLowerCase();
			let originHost: string | null = null;
			if (origin !== undefined) {
				try {
					originHost = new URL(origin).host.toLowerCase();
				} catch {
					originHost = "";
				}
			}
			// Browsers send Sec-Fetch-Site on every request; "same-origin" or "none" (typed by the user) only.
			const site = c.req.header("sec-fetch-site");
			if ((originHost !== null && originHost !== host) || (site !== undefined && site !== "same-origin" && site !== "none"))
				throw new RequestError(
					"request.forbidden_origin",
					`a ${c.req.method} from a page on ${JSON.stringify(origin ?? site)} is refused: without a token, only this server's own dashboard (http://${host}) may change anything`,
				);
		}
		await next();
	};
}
