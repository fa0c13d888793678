// Serves the HTTP API for an engine on a host and port. Without a token it listens on a loopback
// address only: anything else would hand every instance to whoever can reach the port.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { type ApiOptions, createApi } from "./create-api.js";
import { ServerError } from "./server-error.js";

export interface ServerOptions extends ApiOptions {
	/** Default "127.0.0.1". */
	host?: string;
	/** Default 8787; 0 picks a free port. */
	port?: number;
}

export interface RunningServer {
	/** e.g. "http://127.0.0.1:8787" */
	url: string;
	host: string;
	port: number;
	/** Stops accepting requests, ends event streams, and waits for requests in flight. Leaves the engine open. */
	close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
	return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
	const host = options.host ?? "127.0.0.1";
	if (!isLoopback(host) && !options.token)
		throw new ServerError(
			"server.token_required",
			`refusing to listen on ${host} without a token: anyone who can reach it could run and control your workflows; set WEFT_TOKEN (or "token" in the config), or listen on 127.0.0.1`,
		);
	const api = createApi(options);
	const server = createAdaptorServer({ fetch: api.app.fetch, hostname: host }) as Server;
	await new Promise<void>((resolve, reject) => {
		const onError = (e: NodeJS.ErrnoException) => {
			server.off("listening", onListening);
			if (e.code === "EADDRINUSE")
				reject(new ServerError("server.port_in_use", `port ${options.port} on ${host} is in use (another weft dev?); pick another with --port`, { cause: e }));
			else reject(new ServerError("server.listen_failed", `cannot listen on ${host}:${options.port}: ${e.message}`, { cause: e }));
		};
		const onListening = () => {
			server.off("error", onError);
			resolve();
		};
		server.once("error", onError);
		server.once("listening", onListening);
		server.listen(options.port ?? 8787, host);
	});
	const port = (server.address() as AddressInfo).port;
	let closing: Promise<void> | null = null;
	return {
		url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
		host,
		port,
		close() {
			closing ??= new Promise<void>((resolve) => {
				api.endStreams();
				// Connections go idle as their requests (and the streams just ended) finish: close
				// each as soon as it does. Requests still in flight after 2 s are cut off.
				const sweep = setInterval(() => server.closeIdleConnections(), 25);
				const cutoff = setTimeout(() => server.closeAllConnections(), 2000);
				server.close(() => {
					clearInterval(sweep);
					clearTimeout(cutoff);
					resolve();
				});
				server.closeIdleConnections();
			});
			return closing;
		},
	};
}
