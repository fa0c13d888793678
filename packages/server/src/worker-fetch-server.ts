// Serves a Cloudflare Worker's own fetch handler — the default export `{ fetch(request, env, ctx) }`
// or a `WorkerEntrypoint` class — on its own port, with the workflow bindings and vars in `env`,
// so the routes that trigger workflows on Cloudflare work the same here. The Worker owns its
// port's whole path space; Weft's API lives on another port (docs/decisions.md).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { ServerError } from "./server-error.js";
import { BackgroundWork, type WorkerExecutionContext } from "./worker-execution-context.js";

type FetchFn = (request: Request, env: unknown, ctx: WorkerExecutionContext) => Response | Promise<Response>;

/** How to call a module's default export per request, or null when it has no fetch handler. */
export function workerFetchHandler(defaultExport: unknown): FetchFn | null {
	if (typeof defaultExport === "function") {
		const Cls = defaultExport as new (ctx: WorkerExecutionContext, env: unknown) => { fetch?: (request: Request) => Response | Promise<Response> };
		if (typeof Cls.prototype?.fetch !== "function") return null;
		// A WorkerEntrypoint class: one instance per request, as on Cloudflare.
		return (request, env, ctx) => (new Cls(ctx, env).fetch as (r: Request) => Response | Promise<Response>)(request);
	}
	if (typeof defaultExport === "object" && defaultExport !== null) {
		const fetch = (defaultExport as { fetch?: unknown }).fetch;
		if (typeof fetch === "function") return (request, env, ctx) => (fetch as FetchFn).call(defaultExport, request, env, ctx);
	}
	return null;
}

export interface WorkerServerOptions {
	fetch: FetchFn;
	env: Readonly<Record<string, unknown>>;
	host: string;
	port: number;
	/** Where exceptions thrown by the Worker and its waitUntil() work go. */
	log: (error: unknown) => void;
}

export interface RunningWorkerServer {
	url: string;
	port: number;
	/** Stops taking requests, then gives pending waitUntil() work up to `graceMs`. */
	close(graceMs: number): Promise<void>;
}

export async function startWorkerServer(options: WorkerServerOptions): Promise<RunningWorkerServer> {
	const { host, env, log } = options;
	const background = new BackgroundWork(log);
	const server = createAdaptorServer({
		hostname: host,
		fetch: async (request: Request) => {
			try {
				const response = await options.fetch(request, env, background.context());
				if (response instanceof Response) return response;
				log(new TypeError(`the Worker's fetch() returned ${typeof response}, not a Response`));
			} catch (e) {
				log(e);
			}
			return new Response("Internal Server Error: the Worker threw an exception (see the weft output)", { status: 500 });
		},
	}) as Server;
	await new Promise<void>((resolve, reject) => {
		server.once("error", (e: NodeJS.ErrnoException) =>
			reject(
				e.code === "EADDRINUSE"
					? new ServerError("server.port_in_use", `port ${options.port} on ${host} is in use (another weft dev or wrangler dev?); pick another with --port`, {
							cause: e,
						})
					: new ServerError("server.listen_failed", `cannot listen on ${host}:${options.port}: ${e.message}`, { cause: e }),
			),
		);
		server.listen(options.port, host, () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	let closing: Promise<void> | null = null;
	return {
		url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
		port,
		close(graceMs) {
			closing ??= (async () => {
				await new Promise<void>((resolve) => {
					const cutoff = setTimeout(() => server.closeAllConnections(), Math.min(graceMs, 2000));
					server.close(() => {
						clearTimeout(cutoff);
						resolve();
					});
					server.closeIdleConnections();
				});
				await background.settle(graceMs);
			})();
			return closing;
		},
	};
}
