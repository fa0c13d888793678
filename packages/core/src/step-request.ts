// Small pieces of the executor's step calls: the callback's context, what replay is told about
// a step (with its call site, captured and formatted only when read), and the config comparison
// replay needs.
import type { StepKind } from "./journal.js";
import { bodyConfig, DEFAULT_STEP_CONFIG, type ResolvedStepConfig, resolveStepConfig, type WorkflowStepConfig } from "./step-config.js";
import type { StepRequest } from "./step-hooks.js";
import type { WorkflowStepContext } from "./workflow-entrypoint.js";

/** Most steps give no config: the default's JSON is written once, not once per replayed step. */
const DEFAULT_CONFIG_JSON = JSON.stringify(DEFAULT_STEP_CONFIG);

/** True when the code's step config resolves to the one the journal recorded. */
export function sameConfig(name: string, recorded: ResolvedStepConfig, requested: unknown): boolean {
	try {
		const resolved = resolveStepConfig(name, requested as WorkflowStepConfig | undefined);
		return (resolved === DEFAULT_STEP_CONFIG ? DEFAULT_CONFIG_JSON : JSON.stringify(resolved)) === JSON.stringify(recorded);
	} catch {
		return false;
	}
}

/** One of the step functions the workflow was given (`step.do`, `step.sleep`…). */
export type StepFunction = (...args: never[]) => unknown;

/**
 * What replay is told about a step. `where` is an Error captured at the call, or the step
 * function the code called: then the stack above that function's frame is captured only when
 * the site is first read, which must be while the call is still running (replay's observers read
 * it before they return, or keep a copyRequest). Capturing a stack costs more than replaying the
 * rest of a step, and only a report needs one. A class rather than a literal with a getter: one
 * is made per replayed step, and a literal's getter costs a closure and an accessor each time.
 */
class LazyStepRequest implements StepRequest {
	readonly #where: Error | StepFunction;
	#site: string | null | undefined;
	constructor(
		readonly kind: StepKind,
		readonly name: string,
		readonly count: number,
		readonly key: string,
		where: Error | StepFunction,
	) {
		this.#where = where;
	}
	get site(): string | null {
		if (this.#site === undefined) this.#site = callSite((typeof this.#where === "function" ? stackAbove(this.#where) : this.#where).stack);
		return this.#site;
	}
}

export function stepRequest(kind: StepKind, name: string, count: number, key: string, where: Error | StepFunction): StepRequest {
	return new LazyStepRequest(kind, name, count, key, where);
}

/** A plain copy of a request, to keep past the call: its site is read now, while the call is still on the stack. */
export function copyRequest(r: StepRequest): StepRequest {
	return { kind: r.kind, name: r.name, count: r.count, key: r.key, site: r.site };
}

/** The stack of the code that called `fn`, ten frames deep: the site is the first of them outside Weft. */
function stackAbove(fn: StepFunction): { stack?: string } {
	const holder: { stack?: string } = {};
	const limit = Error.stackTraceLimit;
	Error.stackTraceLimit = 10;
	Error.captureStackTrace(holder, fn);
	Error.stackTraceLimit = limit;
	return holder;
}

/** The first stack frame outside Weft's executor: where the workflow called `step.*`. */
function callSite(stack: string | undefined): string | null {
	for (const line of (stack ?? "").split("\n").slice(1)) {
		if (/[/\\]core[/\\](dist|src)[/\\]activation\.[jt]s/.test(line) || line.includes("node:internal")) continue;
		const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line);
		if (m) return (m[1] as string).replace(/^file:\/\//, "");
	}
	return null;
}

/** The callback's context; `config` is copied (as bodyConfig shows it) only if the body reads it, since most never do. */
export function stepContext(
	name: string,
	count: number,
	attempt: number,
	config: ResolvedStepConfig,
	abort: { readonly signal: AbortSignal },
): WorkflowStepContext {
	let copy: ResolvedStepConfig | undefined;
	const ctx = {
		step: { name, count },
		attempt,
		get config() {
			copy ??= bodyConfig(config);
			return copy;
		},
		set config(v) {
			copy = v;
		},
	} as WorkflowStepContext;
	// Not enumerable: a body that returns its ctx still returns a storable value. A getter: the
	// attempt's controller is made only if the body reads it (LazyAbort).
	Object.defineProperty(ctx, "signal", { get: () => abort.signal, enumerable: false });
	return ctx;
}
