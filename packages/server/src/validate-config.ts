// Checks the shape of a project config before anything is loaded, so a typo is reported as
// `config.invalid` with the path of the bad key, instead of surfacing later as a strange failure.
import { NAME_PATTERN, tryParseDuration } from "@weft/core";
import { ConfigError } from "./config-error.js";
import { checkSchedules } from "./cron-schedule.js";
import { checkEncryptionShape } from "./encryption-config.js";
import { checkObservabilityConfig } from "./validate-observability-config.js";
import type { RetentionConfig, WeftConfig, WorkflowConfig } from "./weft-config.js";

const TOP_KEYS = new Set([
	"main",
	"workflows",
	"vars",
	"database",
	"port",
	"host",
	"token",
	"creationRate",
	"default_retention",
	"shutdownGraceMs",
	"leaseMs",
	"pollMs",
	"poolSize",
	"maxActivations",
	"logs",
	"alerts",
	"alertWebhook",
	"alertInterval",
	"encryption",
]);
const WORKFLOW_KEYS = new Set([
	"name",
	"binding",
	"class_name",
	"module",
	"concurrency",
	"default_retention",
	"schedules",
	"version",
	"onDivergence",
	"limits",
]);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Returns the config typed, or throws a ConfigError naming the file and the first bad key. */
export function validateConfig(value: unknown, file: string): WeftConfig {
	const fail = (message: string): never => {
		throw new ConfigError("config.invalid", `${file}: ${message}`);
	};
	if (!isObject(value)) return fail("the config must export an object (export default { workflows: [...] })");
	for (const key of Object.keys(value)) if (!TOP_KEYS.has(key)) fail(`unknown key "${key}"; the keys are ${[...TOP_KEYS].join(", ")}`);
	const c = value as Partial<WeftConfig> & Record<string, unknown>;
	if (c.main !== undefined && typeof c.main !== "string") fail('"main" must be a module path such as "./src/workflows.ts"');
	if (!Array.isArray(c.workflows) || c.workflows.length === 0)
		fail('"workflows" must be a non-empty array of { name, binding, class_name }, as in wrangler.jsonc');
	const names = new Set<string>();
	const bindings = new Set<string>();
	for (const [i, w] of (c.workflows as unknown[]).entries()) {
		const at = `workflows[${i}]`;
		if (!isObject(w)) fail(`${at} must be an object { name, binding, class_name }`);
		for (const key of Object.keys(w as object))
			if (!WORKFLOW_KEYS.has(key)) fail(`${at} has an unknown key "${key}"; the keys are ${[...WORKFLOW_KEYS].join(", ")}`);
		const wf = w as Partial<WorkflowConfig>;
		if (typeof wf.name !== "string" || wf.name.length > 64 || !NAME_PATTERN.test(wf.name))
			fail(`${at}.name ${JSON.stringify(wf.name)} must be 1–64 letters, digits, "_" or "-", not starting with "-"`);
		if (typeof wf.binding !== "string" || !IDENTIFIER.test(wf.binding))
			fail(`${at}.binding ${JSON.stringify(wf.binding)} must be an identifier such as "MY_WORKFLOW"`);
		if (typeof wf.class_name !== "string" || !IDENTIFIER.test(wf.class_name))
			fail(`${at}.class_name ${JSON.stringify(wf.class_name)} must name the exported class`);
		if (wf.module !== undefined && typeof wf.module !== "string") fail(`${at}.module must be a module path`);
		if (wf.module === undefined && c.main === undefined)
			fail(`${at} needs a "module" (or set "main" at the top level) naming the module that exports ${wf.class_name}`);
		if (wf.concurrency !== undefined && (!isObject(wf.concurrency) || !Number.isInteger(wf.concurrency.limit) || (wf.concurrency.limit as number) < 1))
			fail(`${at}.concurrency must be { limit: n } with n an integer ≥ 1`);
		checkRetention(wf.default_retention, `${at}.default_retention`, fail);
		if (wf.version !== undefined && (typeof wf.version !== "string" || !/^[\x21-\x7e]{1,64}$/.test(wf.version)))
			fail(`${at}.version must be 1–64 printable characters without spaces (e.g. a git sha)`);
		if (
			wf.limits !== undefined &&
			(!isObject(wf.limits) ||
				Object.keys(wf.limits).some((k) => k !== "steps") ||
				(wf.limits.steps !== undefined && (!Number.isInteger(wf.limits.steps) || (wf.limits.steps as number) < 1 || (wf.limits.steps as number) > 25_000)))
		)
			fail(`${at}.limits must be { steps: n } with n an integer from 1 to 25000 (default 10000)`);
		if (wf.onDivergence !== undefined && wf.onDivergence !== "run" && wf.onDivergence !== "hold")
			fail(`${at}.onDivergence must be "run" (the default: a step not in the journal simply runs) or "hold"`);
		checkSchedules(wf.schedules, `${at}.schedules`, file);
		if (names.has(wf.name as string)) fail(`two workflows are named "${wf.name}"`);
		if (bindings.has(wf.binding as string)) fail(`two workflows use the binding "${wf.binding}"`);
		names.add(wf.name as string);
		bindings.add(wf.binding as string);
	}
	if (c.vars !== undefined && !isObject(c.vars)) fail('"vars" must be an object of values for this.env');
	if (c.database !== undefined && (typeof c.database !== "string" || c.database === ""))
		fail('"database" must be a file path such as ".weft/weft.db" or a URL such as "postgres://weft@db:5432/app"');
	if (c.port !== undefined && (!Number.isInteger(c.port) || (c.port as number) < 0 || (c.port as number) > 65535))
		fail('"port" must be an integer from 0 to 65535');
	if (c.host !== undefined && (typeof c.host !== "string" || c.host === "")) fail('"host" must be an address such as "127.0.0.1"');
	if (c.token !== undefined && (typeof c.token !== "string" || c.token === "")) fail('"token" must be a non-empty string (or leave it out and set WEFT_TOKEN)');
	if (c.creationRate !== undefined && c.creationRate !== false) {
		const r = c.creationRate as unknown;
		if (
			!isObject(r) ||
			!(typeof r.perSecond === "number" && r.perSecond > 0) ||
			(r.burst !== undefined && !(Number.isInteger(r.burst) && (r.burst as number) >= 1))
		)
			fail('"creationRate" must be false or { perSecond: n > 0, burst?: integer ≥ 1 }');
	}
	checkRetention(c.default_retention, "default_retention", fail);
	if (c.shutdownGraceMs !== undefined && !(typeof c.shutdownGraceMs === "number" && c.shutdownGraceMs >= 0))
		fail('"shutdownGraceMs" must be a number of milliseconds ≥ 0');
	if (c.leaseMs !== undefined && !(Number.isInteger(c.leaseMs) && (c.leaseMs as number) >= 300))
		fail('"leaseMs" must be an integer number of milliseconds ≥ 300');
	if (c.pollMs !== undefined && !(Number.isInteger(c.pollMs) && (c.pollMs as number) >= 10)) fail('"pollMs" must be an integer number of milliseconds ≥ 10');
	if (c.poolSize !== undefined && !(Number.isInteger(c.poolSize) && (c.poolSize as number) >= 2)) fail('"poolSize" must be an integer ≥ 2');
	if (c.maxActivations !== undefined && !(Number.isInteger(c.maxActivations) && (c.maxActivations as number) >= 1))
		fail('"maxActivations" must be an integer ≥ 1');
	checkObservabilityConfig(c, names, file, fail);
	checkEncryptionShape(c.encryption, fail);
	return c as WeftConfig;
}

function checkRetention(r: unknown, at: string, fail: (message: string) => never): void {
	if (r === undefined) return;
	if (!isObject(r)) fail(`${at} must be { success_retention?, error_retention? }`);
	const retention = r as Record<string, unknown>;
	for (const key of Object.keys(retention)) {
		if (key !== "success_retention" && key !== "error_retention") fail(`${at} has an unknown key "${key}"; use success_retention and error_retention`);
		if (tryParseDuration(retention[key as keyof RetentionConfig]) === undefined)
			fail(`${at}.${key} ${JSON.stringify(retention[key])} must be milliseconds or a duration such as "7 days"`);
	}
}
