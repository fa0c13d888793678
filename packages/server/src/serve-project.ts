// `weft start` and each `weft dev` server process: load the project config, open the engine on
// its SQLite file or PostgreSQL database, and serve the HTTP API, with one close() that shuts
// both down in order.
import type { Engine } from "@weft/core";
import { DEFAULT_CREATION_RATE } from "./creation-rate-limiter.js";
import { type LoadedConfig, loadConfig, resolveDatabase } from "./load-config.js";
import { openProjectEngine, redactUrl } from "./open-store.js";
import { type RunningServer, startServer } from "./start-server.js";

export interface ServeProjectOptions {
	/** The project directory (where the config is looked for); relative CLI paths resolve against it too. */
	cwd: string;
	/** A config file other than weft.config.* in cwd. */
	configPath?: string | undefined;
	/** Overrides the config's port (0: any free port). */
	port?: number | undefined;
	host?: string | undefined;
	/** Overrides the config's database: a SQLite file relative to cwd, or a PostgreSQL URL. */
	database?: string | undefined;
	/** Overrides the config's leaseMs. */
	leaseMs?: number | undefined;
	/** Overrides the config's token (the CLI passes --token or WEFT_TOKEN). */
	token?: string | undefined;
	/** Where failures of the engine and the server go (default console.error). */
	log?: (message: string, error: unknown) => void;
}

export interface ServingProject {
	url: string;
	/** The SQLite file, or the PostgreSQL URL with its password hidden. */
	database: string;
	loaded: LoadedConfig;
	engine: Engine;
	server: RunningServer;
	/** Whether requests need a bearer token. */
	authenticated: boolean;
	/** Stops the server, then the engine (stop claiming, let running steps finish up to the grace period, close the file). */
	close(): Promise<void>;
}

export async function serveProject(options: ServeProjectOptions): Promise<ServingProject> {
	const log = options.log ?? ((message, error) => console.error(`[weft] ${message}:`, error));
	const loaded = await loadConfig({ cwd: options.cwd, ...(options.configPath ? { configPath: options.configPath } : {}) });
	const { config } = loaded;
	const database = options.database ? resolveDatabase(options.database, options.cwd) : loaded.database;
	const engine = await openProjectEngine(loaded, { database, leaseMs: options.leaseMs, onError: (e, context) => log(context, e) });
	const token = options.token || config.token || undefined;
	let server: RunningServer;
	try {
		server = await startServer({
			engine,
			host: options.host ?? config.host ?? "127.0.0.1",
			port: options.port ?? config.port ?? 8787,
			token,
			creationRate:
				config.creationRate === false
					? false
					: config.creationRate
						? { perSecond: config.creationRate.perSecond, burst: config.creationRate.burst ?? Math.ceil(2 * config.creationRate.perSecond) }
						: DEFAULT_CREATION_RATE,
			workflows: loaded.workflows.map((w) => ({ name: w.name, className: w.className, module: w.module, concurrency: w.concurrency, retention: w.retention })),
			log: (e) => log("server", e),
		});
	} catch (e) {
		await engine.close({ graceMs: 0 });
		throw e;
	}
	let closing: Promise<void> | null = null;
	return {
		url: server.url,
		database: redactUrl(database),
		loaded,
		engine,
		server,
		authenticated: token !== undefined,
		close() {
			closing ??= (async () => {
				await server.close();
				await engine.close({ graceMs: config.shutdownGraceMs ?? 5000 });
			})();
			return closing;
		},
	};
}
