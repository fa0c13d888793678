// Where a project's instances live: a SQLite file (one process: the embedded default) or a
// PostgreSQL database shared by any number of `weft start`, `weft dev` and `weft worker`
// processes. `openProjectEngine` builds the engine on either, from a loaded project config.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Clock, Engine, type EngineObserver, type LogCapture, type Store, type WorkflowDuration } from "@weft/core";
import { PostgresStore } from "@weft/store-postgres";
import { createEngine, SqliteStore } from "weft";
import { isDatabaseUrl, isPostgresUrl, parsePostgresUrl, unsupported } from "./database-url.js";
import { projectSerializer } from "./encryption-config.js";
import type { LoadedConfig } from "./load-config.js";
import { loadWorkerScheduled, scheduledWorkflow } from "./worker-scheduled.js";
import { preservesNonRetryableErrors } from "./wrangler-config.js";

export interface OpenStoreOptions {
	/** PostgreSQL only: connections in this process's pool (default 10). */
	poolSize?: number | undefined;
	/** PostgreSQL only: shown in pg_stat_activity (default "weft"). */
	applicationName?: string | undefined;
	onError?: ((error: unknown, context: string) => void) | undefined;
}

/**
 * A PostgreSQL URL opens a PostgresStore shared with other workers (`sharedByWorkers`: starting
 * does not release leases live workers may hold; a dead worker's leases expire by themselves);
 * anything else is a SQLite file path.
 */
export async function openStore(database: string, options: OpenStoreOptions = {}): Promise<Store> {
	if (isPostgresUrl(database)) {
		const target = parsePostgresUrl(database);
		return PostgresStore.open({
			...target,
			sharedByWorkers: true,
			...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
			...(options.applicationName !== undefined ? { applicationName: options.applicationName } : {}),
			...(options.onError ? { onError: options.onError } : {}),
		});
	}
	if (isDatabaseUrl(database)) throw unsupported(database);
	mkdirSync(dirname(database), { recursive: true });
	return new SqliteStore({ path: database });
}

export interface ProjectEngineOptions {
	/** A SQLite file path (absolute) or a PostgreSQL URL. */
	database: string;
	/** Overrides the config's leaseMs. */
	leaseMs?: number | undefined;
	/** Overrides the config's pollMs. */
	pollMs?: number | undefined;
	/** Overrides the config's poolSize. */
	poolSize?: number | undefined;
	/** Overrides the config's maxActivations. */
	maxActivations?: number | undefined;
	applicationName?: string | undefined;
	/** Metrics, logs and tracing (@weft/telemetry's observer). */
	observer?: EngineObserver | undefined;
	/** Keeps step bodies' console output with their attempts. */
	captureLogs?: LogCapture | undefined;
	/** Tests: a ManualClock, so cron firings happen when the test says. */
	clock?: Clock | undefined;
	onError: (error: unknown, context: string) => void;
}

/** The project's engine, started (claiming), on its SQLite file or PostgreSQL database. */
export async function openProjectEngine(loaded: LoadedConfig, options: ProjectEngineOptions): Promise<Engine> {
	const { config } = loaded;
	const tuning = {
		...pick("leaseMs", options.leaseMs ?? config.leaseMs),
		...pick("pollMs", options.pollMs ?? config.pollMs),
		...pick("maxActivations", options.maxActivations ?? config.maxActivations),
	};
	// A Worker with triggers.crons and a scheduled() handler: its firings run as a workflow of Weft's own.
	const scheduled = await loadWorkerScheduled(loaded);
	const common = {
		workflows: Object.fromEntries([
			...loaded.workflows.map((w) => [
				w.binding,
				{
					name: w.name,
					class: w.class,
					version: w.version,
					onDivergence: w.onDivergence,
					...(w.concurrency ? { concurrency: w.concurrency } : {}),
					...(w.limits ? { limits: w.limits } : {}),
					...(w.retention
						? {
								retention: {
									// Checked when the config was loaded (validate-config's checkRetention).
									...(w.retention.success_retention !== undefined ? { success: w.retention.success_retention as WorkflowDuration } : {}),
									...(w.retention.error_retention !== undefined ? { error: w.retention.error_retention as WorkflowDuration } : {}),
								},
							}
						: {}),
				},
			]),
			...(scheduled ? [scheduledWorkflow(scheduled, options.onError)] : []),
		]),
		env: config.vars ?? {},
		preserveNonRetryableErrorMessage: preservesNonRetryableErrors(loaded.worker),
		...(loaded.encryption ? { serializer: projectSerializer(loaded.encryption) } : {}),
		onError: options.onError,
		...(options.observer ? { observer: options.observer } : {}),
		...(options.captureLogs ? { captureLogs: options.captureLogs } : {}),
		...(options.clock ? { clock: options.clock } : {}),
		...tuning,
	};
	if (!isPostgresUrl(options.database)) {
		if (isDatabaseUrl(options.database)) throw unsupported(options.database);
		mkdirSync(dirname(options.database), { recursive: true });
		return createEngine({ database: options.database, ...common });
	}
	const store = await openStore(options.database, {
		poolSize: options.poolSize ?? config.poolSize,
		applicationName: options.applicationName,
		onError: options.onError,
	});
	let engine: Engine;
	try {
		engine = new Engine({ ...common, store, alwaysReplay: process.env.WEFT_ALWAYS_REPLAY === "1" });
	} catch (e) {
		await store.close();
		throw e;
	}
	await engine.start();
	return engine;
}

function pick<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
	return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
