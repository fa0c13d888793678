// What a project's weft.config.ts (or .mts, .js, .mjs, .json) exports. Keys that come from
// wrangler.jsonc keep wrangler's spelling (`main`, `vars`, `workflows[].name|binding|class_name`,
// `concurrency.limit`, `default_retention`), so a workflows block can be copied across as is;
// keys that are Weft's own are camelCase.

import type { AlertRule, LogLevel } from "@weft/telemetry";

/** Milliseconds, or a duration such as "7 days" (Cloudflare's grammar). */
export type RetentionDuration = number | string;

export interface RetentionConfig {
	/** How long a complete instance is kept. */
	success_retention?: RetentionDuration;
	/** How long an errored or terminated instance is kept. */
	error_retention?: RetentionDuration;
}

export interface WorkflowConfig {
	/** The workflow's name in the API and the CLI (≤ 64 chars of letters, digits, "_", "-"). */
	name: string;
	/** The variable name on `env` (`this.env.MY_WORKFLOW`). */
	binding: string;
	/** The exported class that extends WorkflowEntrypoint. */
	class_name: string;
	/** The module that exports the class, relative to the config file; defaults to the top-level `main`. */
	module?: string;
	/** At most this many instances run at once; the rest wait `queued`. */
	concurrency?: { limit: number };
	/** The version of the code recorded on instances (default: a hash of the module file). */
	version?: string;
	/** "hold" pauses an instance whose code parts from its journal, with the reason (docs/replay.md). */
	onDivergence?: "run" | "hold";
	/** Steps and waits an instance may use (sleeps do not count): default 10,000, at most 25,000. */
	limits?: { steps?: number };
	/** How long finished instances are kept; the engine purges older ones (docs/config.md). */
	default_retention?: RetentionConfig;
	/** Cron expressions (five fields, UTC); each firing creates one instance with `event.schedule` set. */
	schedules?: string | string[];
}

export interface CreationRateConfig {
	/** Instances created per second per workflow, sustained (create, each batch item, restart). */
	perSecond: number;
	/** How many may be created at once before the sustained rate applies (default: 2 × perSecond). */
	burst?: number;
}

export interface WeftConfig {
	/** The module that exports the workflow classes, relative to the config file (as in wrangler.jsonc). */
	main?: string;
	workflows: WorkflowConfig[];
	/** Extra values on `this.env` inside workflows (as wrangler's `vars`). */
	vars?: Record<string, unknown>;
	/**
	 * The SQLite file, relative to the config file (default ".weft/weft.db"), or a PostgreSQL URL
	 * (postgres://user@host:5432/db, optionally with ?schema=NAME; default schema "weft") shared by
	 * any number of `weft start`, `weft dev` and `weft worker` processes.
	 */
	database?: string;
	/** Default 8787. */
	port?: number;
	/** Default "127.0.0.1". Any other address needs a token. */
	host?: string;
	/** Bearer token every API request must carry; WEFT_TOKEN in the environment takes precedence. */
	token?: string;
	/** Per-workflow creation rate limit (default 100/s, burst 200); false turns it off. */
	creationRate?: CreationRateConfig | false;
	/** Default retention for every workflow that sets none. */
	default_retention?: RetentionConfig;
	/** On shutdown (and on each reload under `weft dev`), how long running steps may take to finish (default 5000). */
	shutdownGraceMs?: number;
	/**
	 * How long a claim holds an instance without renewal (default 30000 ms; renewed every third of
	 * it). With several processes, a dead worker's instances are taken over after at most this
	 * long plus one poll interval.
	 */
	leaseMs?: number;
	/** PostgreSQL: how often an idle process looks for due work that no notification announced (default 1000 ms, ±20%). */
	pollMs?: number;
	/** PostgreSQL: connections in each process's pool (default 10; the LISTEN connection is one more). */
	poolSize?: number;
	/** Instances running at once in each process, across all workflows (default 1000). */
	maxActivations?: number;
	/** Engine logs and step console capture (docs/observability.md#logs). */
	logs?: LogsConfig;
	/** Alert rules, evaluated by every `weft start`/`weft dev` server (docs/observability.md#alerts). */
	alerts?: AlertRule[];
	/** Where alert state changes are POSTed, for rules without a webhook of their own. */
	alertWebhook?: string;
	/** How often alert rules are evaluated (default "15 seconds"). */
	alertInterval?: number | string;
	/**
	 * Encryption at rest of params, step results, event payloads, outputs and errors
	 * (docs/encryption.md). WEFT_ENCRYPTION_KEYS / WEFT_ENCRYPTION_KEY_ID take precedence.
	 */
	encryption?: EncryptionConfig;
}

export interface EncryptionConfig {
	/** Key id → 32 random bytes as base64 (`openssl rand -base64 32`). Keep old keys to read what they wrote. */
	keys: Record<string, string>;
	/** The id new values are encrypted with (optional with a single key). */
	current?: string;
}

export interface LogsConfig {
	/** The engine's structured log level (default "info"); WEFT_LOG_LEVEL takes precedence. */
	level?: LogLevel;
	/** Keep console.* output of step bodies with each attempt (default true). */
	captureConsole?: boolean;
	/** Print captured step output to the console as well (default true). */
	echoConsole?: boolean;
}

/** Types a config object; it returns its argument unchanged. */
export function defineConfig(config: WeftConfig): WeftConfig {
	return config;
}
