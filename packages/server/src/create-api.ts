// The HTTP API as a Hono app: auth, body limits, the routes, and one error path that turns
// every failure into `{ error: { code, message } }` with its status from ERROR_STATUS.
import type { Health } from "@weft/client";
import type { Engine } from "@weft/core";
import type { Telemetry } from "@weft/telemetry";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiContext, WorkflowInfo } from "./api-context.js";
import { bearerAuth } from "./bearer-auth.js";
import { type CreationRate, CreationRateLimiter, DEFAULT_CREATION_RATE } from "./creation-rate-limiter.js";
import { dashboardAssets } from "./dashboard-route.js";
import { errorAnswer } from "./error-status.js";
import { registerEventStreamRoute } from "./event-stream-route.js";
import { registerHistoryRoutes } from "./history-routes.js";
import { registerInstanceRoutes } from "./instance-routes.js";
import { localOnlyGuard } from "./local-only-guard.js";
import { registerObservabilityRoutes } from "./observability-routes.js";
import { OPENAPI_DOCUMENT } from "./openapi-document.js";
import { RequestError } from "./request-error.js";
import { sameOriginWrites } from "./same-origin-writes.js";
import { registerWorkflowRoutes } from "./workflow-routes.js";

/** 1 MiB, Cloudflare's limit for a payload and for a batch. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiOptions {
	engine: Engine;
	/** When set, every route requires `Authorization: Bearer <token>`. */
	token?: string | undefined;
	/** Per-workflow creation rate (default 100/s, burst 200); false turns it off. */
	creationRate?: CreationRate | false;
	/** What the project config says about each workflow (class, module, concurrency, retention). */
	workflows?: WorkflowInfo[];
	/** How often an event stream looks for new journal entries (default 250 ms). */
	streamPollMs?: number;
	/** A comment line keeps an idle event stream open through proxies (default every 15 s). */
	heartbeatMs?: number;
	/** Where failures of the server itself go (default console.error). */
	log?: (error: unknown) => void;
	/** Metrics for GET /metrics and alert states for GET /api/alerts (@weft/telemetry). */
	telemetry?: Telemetry | undefined;
	/** The built dashboard served at / (default: @weft/dashboard's build); false serves none. */
	dashboard?: string | false;
}

export interface Api {
	app: Hono;
	/** Ends every open event stream (they would otherwise hold the server open). */
	endStreams(): void;
}

export function createApi(options: ApiOptions): Api {
	const log = options.log ?? ((e: unknown) => console.error("[weft] server error:", e));
	const ctx: ApiContext = {
		engine: options.engine,
		limiter: options.creationRate === false ? null : new CreationRateLimiter(options.creationRate ?? DEFAULT_CREATION_RATE),
		info: new Map((options.workflows ?? []).map((w) => [w.name, w])),
		streams: new Set(),
		streamPollMs: options.streamPollMs ?? 250,
		heartbeatMs: options.heartbeatMs ?? 15_000,
		log,
	};
	const app = new Hono();

	app.onError((error, c) => {
		const answer = errorAnswer(error, log);
		for (const [k, v] of Object.entries(answer.headers)) c.header(k, v);
		return c.json(answer.body, answer.status as ContentfulStatusCode);
	});
	app.notFound((c) => {
		const allowed = methodsFor(app, c.req.path);
		if (allowed.length > 0)
			throw new RequestError("route.method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(", ")}`, {
				allow: allowed.join(", "),
			});
		throw new RequestError("route.not_found", `no route ${c.req.method} ${c.req.path}; the API is described at /api/openapi.json`);
	});

	if (options.dashboard !== false) app.use("*", dashboardAssets({ dir: options.dashboard, localOnly: !options.token }));
	app.use("*", options.token ? bearerAuth(options.token) : localOnlyGuard());
	if (!options.token) app.use("*", sameOriginWrites());
	app.use(
		"*",
		bodyLimit({
			maxSize: MAX_BODY_BYTES,
			onError: () => {
				// The rest of the body is not read, so the connection cannot carry another request: close it.
				throw new RequestError("request.body_too_large", `the request body is over ${MAX_BODY_BYTES} bytes (1 MiB), the limit for a payload or a batch`, {
					connection: "close",
				});
			},
		}),
	);

	app.get("/healthz", (c) => {
		const health: Health = { status: "ok", workflows: Object.keys(ctx.engine.bindings).length, activeActivations: ctx.engine.activeCount };
		return c.json(health);
	});
	app.get("/api/openapi.json", (c) => c.json(OPENAPI_DOCUMENT));
	registerWorkflowRoutes(app, ctx);
	registerInstanceRoutes(app, ctx);
	registerHistoryRoutes(app, ctx);
	registerEventStreamRoute(app, ctx);
	registerObservabilityRoutes(app, ctx, options.telemetry);

	return {
		app,
		endStreams() {
			for (const stop of ctx.streams) stop.abort();
		},
	};
}

/** The methods registered for a path that exists under another method (for 405 and Allow). */
function methodsFor(app: Hono, path: string): string[] {
	const methods = new Set<string>();
	for (const r of apiRoutes(app)) if (routePattern(r.path).test(path)) methods.add(r.method);
	return [...methods];
}

/** The routes the app answers (middleware left out): what the OpenAPI document and the docs must list. */
export function apiRoutes(app: Hono): { method: string; path: string }[] {
	return app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, path: r.path }));
}

function routePattern(path: string): RegExp {
	return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+")}/?$`);
}
