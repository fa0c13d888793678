// `weft start` and each `weft dev` server process: load the project config, open the engine on
// its SQLite file or PostgreSQL database, and serve the HTTP API, with one close() that shuts
// both down in order.
import type { Clock, Engine } from "@weft/core";
import { DEFAULT_CREATION_RATE } from "./creation-rate-limiter.js";
import { redactUrl } from "./database-url.js";
import { type LoadedConfig, loadConfig, resolveDatabase } from "./load-config.js";
import { openProjectEngine } from "./open-store.js";
import { projectTelemetry } from "./project-telemetry.js";
import { startSchedules } from "./start-schedules.js";
import { type RunningServer, startServer } from "./start-server.js";
import { setWorkerEnv } from "./worker-env.js";
import { loadWorkerFetch, workerNotices } from "./worker-fetch.js";
import { type RunningWorkerServer, startWorkerServer } from "./worker-fetch-server.js";
import { SCHEDULED_WORKFLOW } from "./worker-scheduled.js";

export interface ServeProjectOptions {
	/** The project directory (where the config is looked for); relative CLI paths resolve against it too. */
	cwd: string;
	/** A config file other than weft.config.* in cwd. */
	configPath?: string | undefined;
	/** Overrides the config's port (0: any free port); in a Cloudflare project, the Worker's port (default wrangler's dev.port, else 8787). */
	port?: number | undefined;
	/** In a Cloudflare project, the port of Weft's API (default: the Worker's port + 1; any free one when that is 0). */
	apiPort?: number | undefined;
	host?: string | undefined;
	/** Overrides the config's database: a SQLite file relative to cwd, or a PostgreSQL URL. */
	database?: string | undefined;
	/** Overrides the config's leaseMs. */
	leaseMs?: number | undefined;
	/** Overrides the config's token (the CLI passes --token or WEFT_TOKEN). */
	token?: string | undefined;
	/** Where failures of the engine and the server go (default console.error). */
	log?: (message: string, error: unknown) => void;
	/** Tests: the engine's clock (a ManualClock makes cron firings happen when the test says). */
	clock?: Clock;
}

export interface ServingProject {
	url: string;
	/** The SQLite file, or the PostgreSQL URL with its password hidden. */
	database: string;
	loaded: LoadedConfig;
	engine: Engine;
	server: RunningServer;
	/** The Worker's own fetch handler, served on its own port (Cloudflare projects whose main has one). */
	worker: RunningWorkerServer | null;
	/** What the banner should say about parts of the project Weft does not run. */
	notices: string[];
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
	const { telemetry, engineOptions } = projectTelemetry(loaded);
	let engine: Engine;
	try {
		engine = await openProjectEngine(loaded, {
			database,
			leaseMs: options.leaseMs,
			...engineOptions,
			...(options.clock ? { clock: options.clock } : {}),
			onError: (e, context) => log(context, e),
		});
	} catch (e) {
		await telemetry.close();
		throw e;
	}
	telemetry.attach(engine);
	const token = options.token || config.token || undefined;
	const host = options.host ?? config.host ?? "127.0.0.1";
	let server: RunningServer | null = null;
	let worker: RunningWorkerServer | null = null;
	let schedules: Awaited<ReturnType<typeof startSchedules>> = null;
	try {
		// A Cloudflare Worker owns its port's whole path space, so Weft's API moves to the next port.
		const fetch = await loadWorkerFetch(loaded);
		const workerPort = options.port ?? loaded.worker?.devPort ?? config.port ?? 8787;
		setWorkerEnv(engine.env);
		if (fetch) worker = await startWorkerServer({ fetch, env: engine.env, host, port: workerPort, log: (e) => log("worker", e) });
		schedules = await startSchedules(loaded, engine, (e, context) => log(context, e));
		const trigger = schedules;
		const scheduled = (trigger?.describe(SCHEDULED_WORKFLOW).length ?? 0) > 0;
		server = await startServer({
			engine,
			host,
			port: worker ? (options.apiPort ?? (workerPort === 0 ? 0 : worker.port + 1)) : (options.apiPort ?? workerPort),
			token,
			creationRate:
				config.creationRate === false
					? false
					: config.creationRate
						? { perSecond: config.creationRate.perSecond, burst: config.creationRate.burst ?? Math.ceil(2 * config.creationRate.perSecond) }
						: DEFAULT_CREATION_RATE,
			workflows: [
				...loaded.workflows.map((w) => ({
					name: w.name,
					className: w.className,
					module: w.module,
					concurrency: w.concurrency,
					retention: w.retention,
					schedules: () => trigger?.describe(w.name) ?? [],
				})),
				// The firings of the Worker's triggers.crons (worker-scheduled.ts), with their next times.
				...(scheduled
					? [
							{
								name: SCHEDULED_WORKFLOW,
								className: "scheduled",
								module: config.main ?? "",
								concurrency: null,
								retention: { success_retention: "7 days", error_retention: "30 days" },
								schedules: () => trigger?.describe(SCHEDULED_WORKFLOW) ?? [],
							},
						]
					: []),
			],
			log: (e) => log("server", e),
			telemetry,
		});
	} catch (e) {
		await telemetry.close();
		await worker?.close(0);
		await schedules?.close();
		await engine.close({ graceMs: 0 });
		throw e;
	}
	const api = server;
	let closing: Promise<void> | null = null;
	return {
		url: api.url,
		database: redactUrl(database),
		loaded,
		engine,
		server: api,
		worker,
		notices: workerNotices(loaded, worker !== null, (schedules?.describe(SCHEDULED_WORKFLOW).length ?? 0) > 0),
		authenticated: token !== undefined,
		close() {
			closing ??= (async () => {
				const graceMs = config.shutdownGraceMs ?? 5000;
				await Promise.all([worker?.close(graceMs), api.close()]);
				await schedules?.close();
				await engine.close({ graceMs });
				await telemetry.close();
			})();
			return closing;
		},
	};
}
