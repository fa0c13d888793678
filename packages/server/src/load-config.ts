// Finds the project config in a directory, checks it, imports the modules it names and resolves
// every workflow to its class, with an error that names the file, the workflow and the fix.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type AnyWorkflowClass, hashVersion, type Keyring } from "@weft/core";
import { ConfigError } from "./config-error.js";
import { isDatabaseUrl, isPostgresUrl, parsePostgresUrl, unsupported } from "./database-url.js";
import { resolveEncryption } from "./encryption-config.js";
import { importModule } from "./module-loader.js";
import { validateConfig } from "./validate-config.js";
import type { RetentionConfig, WeftConfig } from "./weft-config.js";
import { findWranglerFile, isWranglerFile, readWranglerConfig, type WorkerProject, WRANGLER_FILES } from "./wrangler-config.js";

export const CONFIG_FILES = ["weft.config.ts", "weft.config.mts", "weft.config.js", "weft.config.mjs", "weft.config.json"] as const;

export interface LoadedWorkflow {
	name: string;
	binding: string;
	className: string;
	/** The module as the config names it (relative to the config file). */
	module: string;
	/** Its absolute path. */
	modulePath: string;
	class: AnyWorkflowClass;
	concurrency: { limit: number } | null;
	/** The version of its code: the config's, else a hash of the module file. */
	version: string;
	onDivergence: "run" | "hold";
	limits: { steps?: number } | null;
	retention: RetentionConfig | null;
	/** Cron expressions (UTC); each firing creates one instance. */
	schedules: string[];
}

export interface LoadedConfig {
	/** The config file's absolute path. */
	path: string;
	/** The project directory: the config file's directory; relative paths resolve against it. */
	dir: string;
	config: WeftConfig;
	workflows: LoadedWorkflow[];
	/** The SQLite file's absolute path, or a PostgreSQL URL (postgres:// or postgresql://). */
	database: string;
	/** Set when the config is a wrangler file: the Worker's own settings (its fetch handler is served too). */
	worker: WorkerProject | null;
	/** The encryption keys (config `encryption` or WEFT_ENCRYPTION_KEYS), or null when values are stored in plaintext. */
	encryption?: Keyring | null;
}

/** The config file in `dir` (a weft.config.* first, else a Cloudflare project's wrangler file), or a ConfigError `config.not_found`. */
export function findConfigFile(dir: string): string {
	for (const name of CONFIG_FILES) {
		const path = join(dir, name);
		if (existsSync(path)) return path;
	}
	const wrangler = findWranglerFile(dir);
	if (wrangler) return wrangler;
	throw new ConfigError(
		"config.not_found",
		`no ${[...CONFIG_FILES, ...WRANGLER_FILES].join(", ")} in ${dir}; create weft.config.ts listing your workflows (see docs/config.md), or run from your project's directory`,
	);
}

/** `env` (default process.env) is where WEFT_ENCRYPTION_KEYS and WEFT_ENCRYPTION_KEY_ID are read. */
export async function loadConfig(options: { cwd: string; configPath?: string; env?: NodeJS.ProcessEnv }): Promise<LoadedConfig> {
	const path = options.configPath ? resolve(options.cwd, options.configPath) : findConfigFile(options.cwd);
	if (!existsSync(path)) throw new ConfigError("config.not_found", `the config file ${path} does not exist`);
	const dir = dirname(path);
	const shown = relative(options.cwd, path) || path;
	const wrangler = isWranglerFile(path) ? readWranglerConfig(path, shown) : null;
	const config = validateConfig(wrangler ? wrangler.value : await readConfigValue(path, shown), shown);
	// Before any module is imported: a bad key is reported first, and nothing has started.
	const encryption = resolveEncryption(config.encryption, options.env ?? process.env, shown);

	const modules = new Map<string, Record<string, unknown>>();
	const workflows: LoadedWorkflow[] = [];
	for (const wf of config.workflows) {
		const module = (wf.module ?? config.main) as string;
		const modulePath = resolve(dir, module);
		let exports = modules.get(modulePath);
		if (!exports) {
			if (!existsSync(modulePath))
				throw new ConfigError(
					"config.module_not_found",
					`workflow "${wf.name}" is in module ${JSON.stringify(module)}, but ${modulePath} does not exist; fix "${wf.module ? "module" : "main"}" in ${shown}`,
				);
			try {
				exports = await importModule(modulePath);
			} catch (cause) {
				throw new ConfigError("config.module_failed", `loading ${module} (for workflow "${wf.name}") failed: ${(cause as Error)?.message ?? cause}`, { cause });
			}
			modules.set(modulePath, exports);
		}
		const cls = exports[wf.class_name];
		if (cls === undefined) {
			const classes = Object.keys(exports).filter((k) => typeof exports[k] === "function");
			throw new ConfigError(
				"config.class_not_found",
				`workflow "${wf.name}" names class_name "${wf.class_name}", but ${module} exports no such name (${classes.length ? `it exports ${classes.join(", ")}` : "it exports no class"}); export the class or fix class_name in ${shown}`,
			);
		}
		if (typeof cls !== "function" || typeof (cls as { prototype?: { run?: unknown } }).prototype?.run !== "function")
			throw new ConfigError(
				"config.class_not_found",
				`workflow "${wf.name}": ${wf.class_name} exported by ${module} is not a class with a run() method; it must extend WorkflowEntrypoint`,
			);
		workflows.push({
			name: wf.name,
			binding: wf.binding,
			className: wf.class_name,
			module,
			modulePath,
			class: cls as AnyWorkflowClass,
			concurrency: wf.concurrency ?? null,
			version: wf.version ?? hashVersion(readFileSync(modulePath, "utf8")),
			onDivergence: wf.onDivergence ?? "run",
			limits: wf.limits ?? null,
			retention: wf.default_retention ?? config.default_retention ?? null,
			schedules: wf.schedules === undefined ? [] : [wf.schedules].flat(),
		});
	}
	const database = config.database ?? join(".weft", "weft.db");
	return { path, dir, config, workflows, database: resolveDatabase(database, dir), worker: wrangler?.worker ?? null, encryption };
}

/**
 * A PostgreSQL URL as it is; a file path resolved against `dir`; any other URL is a ConfigError
 * `config.unsupported_database`.
 */
export function resolveDatabase(database: string, dir: string): string {
	if (isPostgresUrl(database)) {
		parsePostgresUrl(database);
		return database;
	}
	if (isDatabaseUrl(database)) throw unsupported(database);
	return isAbsolute(database) ? database : resolve(dir, database);
}

async function readConfigValue(path: string, shown: string): Promise<unknown> {
	if (path.endsWith(".json")) {
		try {
			return JSON.parse(readFileSync(path, "utf8"));
		} catch (cause) {
			throw new ConfigError("config.invalid", `${shown} is not valid JSON: ${(cause as Error).message}`, { cause });
		}
	}
	let exports: Record<string, unknown>;
	try {
		exports = await importModule(path);
	} catch (cause) {
		throw new ConfigError("config.module_failed", `loading ${shown} failed: ${(cause as Error)?.message ?? cause}`, { cause });
	}
	return exports.default ?? exports.config;
}
