// Small pieces of the executor's step calls: the callback's context, what replay is told about
// a step (with its call site, formatted only when read), and the config comparison replay needs.
import type { StepKind } from "./journal.js";
import { type ResolvedStepConfig, resolveStepConfig, type WorkflowStepConfig } from "./step-config.js";
import type { StepRequest } from "./step-hooks.js";
import type { WorkflowStepContext } from "./workflow-entrypoint.js";

/** True when the code's step config resolves to the one the journal recorded. */
export function sameConfig(name: string, recorded: ResolvedStepConfig, requested: unknown): boolean {
	try {
		return JSON.stringify(resolveStepConfig(name, requested as WorkflowStepConfig | undefined)) === JSON.stringify(recorded);
	} catch {
		return false;
	}
}

export function stepRequest(kind: StepKind, name: string, count: number, key: string, where: Error | null): StepRequest {
	let site: string | null | undefined;
	return {
		kind,
		name,
		count,
		key,
		get site() {
			site ??= callSite(where?.stack);
			return site;
		},
	};
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

/** The callback's context; `config` is copied only if the body reads it, since most never do. */
export function stepContext(name: string, count: number, attempt: number, config: ResolvedStepConfig, signal: AbortSignal): WorkflowStepContext {
	let copy: ResolvedStepConfig | undefined;
	const ctx = {
		step: { name, count },
		attempt,
		get config() {
			copy ??= structuredClone(config);
			return copy;
		},
		set config(v) {
			copy = v;
		},
	} as WorkflowStepContext;
	// Not enumerable: a body that returns its ctx still returns a storable value.
	Object.defineProperty(ctx, "signal", { value: signal, enumerable: false });
	return ctx;
}
