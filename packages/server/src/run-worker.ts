// `weft worker`: the engine without the HTTP API. It claims and runs the project's instances from
// a PostgreSQL database shared with any number of other workers and `weft start` servers, until
// SIGINT or SIGTERM; then it stops claiming, lets running steps finish up to shutdownGraceMs,
// and prints one summary line with its store's counters.
import type { Engine } from "@weft/core";
import type { PostgresStore } from "@weft/store-postgres";
import { ConfigError } from "./config-error.js";
import { isPostgresUrl, redactUrl } from "./database-url.js";
import { type LoadedConfig, loadConfig, resolveDatabase } from "./load-config.js";
import { openProjectEngine } from "./open-store.js";
import { projectTelemetry } from "./project-telemetry.js";
import { startSchedules } from "./start-schedules.js";
import { waitForSignal } from "./wait-for-signal.js";

export interface WorkerOptions {
	cwd: string;
	configPath?: string | undefined;
	/** Overrides the config's database; must be a PostgreSQL URL. */
	database?: string | undefined;
	leaseMs?: number | undefined;
	pollMs?: number | undefined;
	poolSize?: number | undefined;
	maxActivations?: number | undefined;
	/** Where failures go (default console.error). */
	log?: (message: string, error: unknown) => void;
}

export interface RunningWorker {
	loaded: LoadedConfig;
	engine: Engine;
	/** The database URL, password hidden. */
	database: string;
	/** The store's counters so far (PostgreSQL). */
	stats(): WorkerStats;
	/** Stops claiming, gives running steps up to shutdownGraceMs, closes the store. */
	close(): Promise<WorkerStats>;
}

export interface WorkerStats {
	/** Writes refused because this worker's lease had been taken over (fencing). */
	staleWritesRejected: number;
	/** Idle database connections lost. */
	connectionErrors: number;
	/** LISTEN connections made (1 + reconnects). */
	wakeConnections: number;
	/** Group commits (transactions) and the writes they carried. */
	commits: number;
	writes: number;
}

/** Starts a worker: loads the config, opens the shared store, starts claiming. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
	const log = options.log ?? ((message, error) => console.error(`[weft] ${message}:`, error));
	const loaded = await loadConfig({ cwd: options.cwd, ...(options.configPath ? { configPath: options.configPath } : {}) });
	const database = options.database ? resolveDatabase(options.database, options.cwd) : loaded.database;
	if (!isPostgresUrl(database))
		throw new ConfigError(
			"config.worker_needs_postgres",
			`weft worker shares its work with other processes through PostgreSQL, but the database is the SQLite file ${database}; pass --database postgres://… (or set "database" in the config), or use weft start for a single process`,
		);
	// Logs, step output and traces as a server has them; no /metrics (no HTTP API) and no alert
	// evaluation (servers do it), but its finishes count in the servers' errorRate rules.
	const { telemetry, engineOptions } = projectTelemetry(loaded, { alerts: false });
	const engine = await openProjectEngine(loaded, {
		...engineOptions,
		database,
		leaseMs: options.leaseMs,
		pollMs: options.pollMs,
		poolSize: options.poolSize,
		maxActivations: options.maxActivations,
		applicationName: "weft worker",
		onError: (e, context) => log(context, e),
	}).catch(async (e) => {
		await telemetry.close();
		throw e;
	});
	telemetry.attach(engine);
	const store = engine.store as PostgresStore;
	let schedules: Awaited<ReturnType<typeof startSchedules>>;
	try {
		schedules = await startSchedules(loaded, engine, (e, context) => log(context, e));
	} catch (e) {
		await engine.close({ graceMs: 0 });
		await telemetry.close();
		throw e;
	}
	const stats = (): WorkerStats => ({
		staleWritesRejected: store.staleWritesRejected,
		connectionErrors: store.connectionErrors,
		wakeConnections: store.wakeConnections,
		commits: store.writes.batches,
		writes: store.writes.writes,
	});
	let closing: Promise<WorkerStats> | null = null;
	return {
		loaded,
		engine,
		database: redactUrl(database),
		stats,
		close() {
			closing ??= (async () => {
				await schedules?.close();
				await engine.close({ graceMs: loaded.config.shutdownGraceMs ?? 5000 });
				await telemetry.close();
				return stats();
			})();
			return closing;
		},
	};
}

/** `weft worker`: runs until SIGINT or SIGTERM, then shuts down gracefully. */
export async function runWorker(options: WorkerOptions & { out?: (line: string) => void }): Promise<void> {
	const out = options.out ?? ((line: string) => console.log(line));
	const worker = await startWorker(options);
	const names = worker.loaded.workflows.map((w) => w.name);
	out(
		[
			`weft worker · pid ${process.pid} · ${names.length} workflow${names.length === 1 ? "" : "s"}: ${names.join(", ")}`,
			`  database  ${worker.database}`,
			"  claiming  instances; no HTTP API (run weft start for that)",
			"Press Ctrl+C to stop.",
		].join("\n"),
	);
	const signal = await waitForSignal("exit");
	out(`weft: ${signal}, stopping — running steps get up to ${worker.loaded.config.shutdownGraceMs ?? 5000} ms to finish (Ctrl+C again to quit now)`);
	const s = await worker.close();
	out(
		`weft: stopped · stale writes rejected ${s.staleWritesRejected} · commits ${s.commits} (${s.writes} writes) · connection errors ${s.connectionErrors} · LISTEN connections ${s.wakeConnections}`,
	);
}
