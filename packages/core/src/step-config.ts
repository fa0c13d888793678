import { tryParseDuration, type WorkflowDuration } from "./duration.js";
import { WorkflowFatalError } from "./errors.js";

export type WorkflowBackoff = "constant" | "linear" | "exponential";

/**
 * A retry delay the code computes from the failure: `({ ctx, error }) => "30 seconds"`. What it
 * returns is the base delay of that retry: the step's backoff applies to it, as to a fixed delay
 * (see retryDelayMs). It may return a promise, which must settle within 5 seconds.
 */
export type DynamicDelay = (args: { ctx: unknown; error: Error }) => WorkflowDuration | number | Promise<WorkflowDuration | number>;

export interface WorkflowStepConfig {
	retries?: { limit: number; delay: WorkflowDuration | number | DynamicDelay; backoff?: WorkflowBackoff };
	timeout?: WorkflowDuration | number;
	/** "output": the step's output is shown as "[REDACTED]" in the API, the CLI, the dashboard and logs (docs/api.md). */
	sensitive?: "output";
}

/** The config a step runs with: the user's values as given, defaults filled in (journaled, and shown to operators). */
export interface ResolvedStepConfig {
	/** `delay` is "[dynamic]" when the code gives a function (only the code holds it); `ctx.config` then has no `delay` (see bodyConfig). */
	retries: { limit: number; delay: WorkflowDuration | number | "[dynamic]"; backoff: WorkflowBackoff };
	timeout: WorkflowDuration | number;
	sensitive?: "output";
}

/** How a dynamic delay is journaled and shown (Cloudflare shows the same): the function itself lives only in the code. */
export const DYNAMIC_DELAY = "[dynamic]";

/**
 * The config as the code sees it in `ctx.config` (a step body, a delay function, a rollback
 * handler): a copy of the resolved one, without `retries.delay` when that is a function, as
 * Cloudflare shows it. Operators' views (events, timeline) keep the "[dynamic]" marker.
 */
export function bodyConfig(config: ResolvedStepConfig): ResolvedStepConfig {
	const copy = structuredClone(config);
	if (copy.retries.delay === DYNAMIC_DELAY) delete (copy.retries as { delay?: unknown }).delay;
	return copy;
}

/** The step's delay function, when its config has one. */
export function dynamicDelayOf(config: unknown): DynamicDelay | undefined {
	const d = (config as { retries?: { delay?: unknown } } | undefined)?.retries?.delay;
	return typeof d === "function" ? (d as DynamicDelay) : undefined;
}

/** What a sensitive step's output is shown as. */
export const REDACTED = "[REDACTED]";

/** The output as it may be shown: redacted when the step's config says it is sensitive. */
export function shownOutput(config: ResolvedStepConfig | undefined, output: unknown): unknown {
	return config?.sensitive === "output" ? REDACTED : output;
}

/** Cloudflare's documented defaults: 5 retries, 10 s apart, doubling, 10 minutes per attempt. */
export const DEFAULT_STEP_CONFIG: ResolvedStepConfig = Object.freeze({
	retries: Object.freeze({ limit: 5, delay: 10_000, backoff: "exponential" as const }),
	timeout: "10 minutes",
}) as ResolvedStepConfig;

const BACKOFFS = new Set(["constant", "linear", "exponential"]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function invalid(stepName: string): WorkflowFatalError {
	return new WorkflowFatalError(
		"step.invalid_config",
		`Step config for "${stepName}" is in a invalid format. See https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/`,
	);
}

/**
 * Validates a step config strictly, as Cloudflare does: unknown keys, `retries` without both
 * `limit` and `delay`, a negative or fractional limit, an unknown backoff and a zero or
 * unparseable timeout are rejected with a catchable WorkflowFatalError.
 */
export function resolveStepConfig(stepName: string, config: unknown): ResolvedStepConfig {
	// Shared and frozen: a resolved config is only read (the step body gets its own copy).
	if (config === undefined) return DEFAULT_STEP_CONFIG;
	if (!isObject(config)) throw invalid(stepName);
	for (const key of Object.keys(config)) if (key !== "retries" && key !== "timeout" && key !== "sensitive") throw invalid(stepName);
	if (config.sensitive !== undefined && config.sensitive !== "output") throw invalid(stepName);
	const resolved = structuredClone(DEFAULT_STEP_CONFIG);
	if (config.retries !== undefined) {
		const r = config.retries;
		if (!isObject(r)) throw invalid(stepName);
		for (const key of Object.keys(r)) if (key !== "limit" && key !== "delay" && key !== "backoff") throw invalid(stepName);
		if (typeof r.limit !== "number" || !Number.isInteger(r.limit) || r.limit < 0) throw invalid(stepName);
		if (typeof r.delay !== "function" && tryParseDuration(r.delay) === undefined) throw invalid(stepName);
		if (r.backoff !== undefined && (typeof r.backoff !== "string" || !BACKOFFS.has(r.backoff))) throw invalid(stepName);
		resolved.retries = {
			limit: r.limit,
			delay: typeof r.delay === "function" ? DYNAMIC_DELAY : (r.delay as WorkflowDuration),
			backoff: (r.backoff as WorkflowBackoff | undefined) ?? "exponential",
		};
	}
	if (config.timeout !== undefined) {
		const ms = tryParseDuration(config.timeout);
		if (ms === undefined || ms <= 0) throw invalid(stepName);
		resolved.timeout = config.timeout as WorkflowDuration;
	}
	if (config.sensitive === "output") resolved.sensitive = "output";
	return resolved;
}

/**
 * The wait before retry k (k = 1 after the first failed attempt): d, d·k or d·2^(k−1) for a
 * constant, linear or exponential backoff; no jitter, no cap. `d` is the configured delay, or
 * what the delay function returned for this failure (`base`), as Cloudflare computes it.
 */
export function retryDelayMs(config: ResolvedStepConfig, retry: number, base?: number): number {
	const d = base ?? tryParseDuration(config.retries.delay) ?? 0;
	switch (config.retries.backoff) {
		case "constant":
			return d;
		case "linear":
			return d * retry;
		case "exponential":
			return d * 2 ** (retry - 1);
	}
}

export function timeoutMs(config: ResolvedStepConfig): number {
	return tryParseDuration(config.timeout) ?? 0;
}
