// Reads a Cloudflare project's wrangler.jsonc, wrangler.json or wrangler.toml as Weft's project
// config, so `weft dev` runs a Worker project with no weft.config: its `workflows[]`, `main`,
// `vars` (plus `.dev.vars`, as `wrangler dev` reads it), compatibility settings, `dev.port` and
// `triggers.crons`. Wrangler's keys Weft has no use for are left alone; Cloudflare bindings it
// cannot provide are collected, to be named once at startup and stubbed on `env`.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseEnv } from "node:util";
import { type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { ConfigError } from "./config-error.js";
import { checkSchedules } from "./cron-schedule.js";
import { findUnsupportedBindings, type UnsupportedBinding, unsupportedBindingStub } from "./unsupported-bindings.js";

/** In wrangler's own order of preference. */
export const WRANGLER_FILES = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"] as const;

/** What a wrangler config says about the Worker itself, beyond its workflows. */
export interface WorkerProject {
	/** The Worker's name (wrangler's `name`), if any. */
	name: string | null;
	compatibilityDate: string | null;
	compatibilityFlags: string[];
	/** `dev.port`: where `wrangler dev` serves the Worker, so Weft serves it there too. */
	devPort: number | null;
	/** `triggers.crons`: the Worker's `scheduled()` handler runs on these. */
	crons: string[];
	/** Cloudflare bindings Weft does not provide (each stubbed on env). */
	unsupported: UnsupportedBinding[];
}

/**
 * Whether an uncaught NonRetryableError keeps its name and message, as Cloudflare decides it for a
 * Worker: the `workflows_preserve_non_retryable_error_message` flag, default-on from the
 * compatibility date 2026-05-14 (Cloudflare's local engine honours only the explicit flag; Weft
 * follows the dates, as production does). True for a project without a wrangler config.
 */
export function preservesNonRetryableErrors(worker: Pick<WorkerProject, "compatibilityDate" | "compatibilityFlags"> | null | undefined): boolean {
	if (!worker || worker.compatibilityFlags.includes("workflows_preserve_non_retryable_error_message")) return true;
	return worker.compatibilityDate !== null && worker.compatibilityDate >= "2026-05-14";
}

export function isWranglerFile(path: string): boolean {
	return (WRANGLER_FILES as readonly string[]).some((name) => path.endsWith(name));
}

/** The wrangler config in `dir`, or null. */
export function findWranglerFile(dir: string): string | null {
	for (const name of WRANGLER_FILES) if (existsSync(join(dir, name))) return join(dir, name);
	return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The file's contents as a plain object, or a ConfigError `config.invalid` with the line of the syntax error. */
function readRaw(path: string, shown: string): Record<string, unknown> {
	const text = readFileSync(path, "utf8");
	let value: unknown;
	if (path.endsWith(".toml")) {
		try {
			value = parseToml(text);
		} catch (cause) {
			throw new ConfigError("config.invalid", `${shown} is not valid TOML: ${(cause as Error).message}`, { cause });
		}
	} else {
		const errors: ParseError[] = [];
		value = parseJsonc(text, errors, { allowTrailingComma: true });
		const first = errors[0];
		if (first) {
			const line = text.slice(0, first.offset).split("\n").length;
			throw new ConfigError("config.invalid", `${shown} is not valid JSON with comments: ${printParseErrorCode(first.error)} on line ${line}`);
		}
	}
	if (!isObject(value)) throw new ConfigError("config.invalid", `${shown} must hold an object with "main" and "workflows"`);
	return value;
}

/** `KEY=value` lines of `.dev.vars` beside the config (secrets in development), as `wrangler dev` reads them. */
function readDevVars(dir: string): Record<string, string> {
	const path = join(dir, ".dev.vars");
	return existsSync(path) ? (parseEnv(readFileSync(path, "utf8")) as Record<string, string>) : {};
}

/**
 * The wrangler config as a Weft config object (checked afterwards by validateConfig, like any
 * other), and what it says about the Worker. A workflow bound to a class in another Worker
 * (`script_name` naming a different script) is a ConfigError `config.cross_script_binding`.
 */
export function readWranglerConfig(path: string, shown: string): { value: Record<string, unknown>; worker: WorkerProject } {
	const raw = readRaw(path, shown);
	const name = typeof raw.name === "string" ? raw.name : null;
	const workflows = Array.isArray(raw.workflows) ? raw.workflows : [];
	if (workflows.length === 0)
		throw new ConfigError(
			"config.invalid",
			`${shown} declares no workflows; add a "workflows" list of { name, binding, class_name } (or write a weft.config.ts)`,
		);
	const converted = workflows.map((w, i) => {
		if (!isObject(w)) return w;
		const { script_name, limits, jurisdiction: _jurisdiction, ...rest } = w;
		if (script_name !== undefined && script_name !== name)
			throw new ConfigError(
				"config.cross_script_binding",
				`${shown}: workflows[${i}] ("${String(w.name)}") has script_name ${JSON.stringify(script_name)}: its class lives in another Worker, which Weft cannot reach; move the class into this Worker's main module (or run both Workers' workflows from one weft.config.ts)`,
			);
		// limits.steps is the one limit Weft enforces; it is then checked as a weft.config's is.
		return isObject(limits) && limits.steps !== undefined ? { ...rest, limits: { steps: limits.steps } } : rest;
	});
	const unsupported = findUnsupportedBindings(raw);
	const vars = { ...(isObject(raw.vars) ? raw.vars : {}), ...readDevVars(dirname(path)) };
	for (const b of unsupported) if (b.binding && !(b.binding in vars)) vars[b.binding] = unsupportedBindingStub(b);
	const triggers = isObject(raw.triggers) ? raw.triggers : {};
	const dev = isObject(raw.dev) ? raw.dev : {};
	const value: Record<string, unknown> = { workflows: converted, vars };
	if (raw.main !== undefined) value.main = raw.main;
	return {
		value,
		worker: {
			name,
			compatibilityDate: typeof raw.compatibility_date === "string" ? raw.compatibility_date : null,
			compatibilityFlags: Array.isArray(raw.compatibility_flags) ? raw.compatibility_flags.filter((f): f is string => typeof f === "string") : [],
			devPort: Number.isInteger(dev.port) ? (dev.port as number) : null,
			// Checked as workflow schedules are: a cron that does not parse stops the load (config.invalid_schedule).
			crons: checkSchedules(triggers.crons, "triggers.crons", shown),
			unsupported,
		},
	};
}
