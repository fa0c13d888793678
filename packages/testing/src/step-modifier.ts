// The `m` of Cloudflare's `introspectWorkflowInstance(…).modify(m => …)`: rules that replace what
// steps do, turned into the engine's StepInterceptor.
import { type StepInterceptor, ValidationError } from "@weft/core";

/** A step by name and, when the name is used more than once, which use (1-based; any use if left out). */
export interface StepSelector {
	name: string;
	index?: number;
}

const matches = (sel: StepSelector, step: { name: string; count: number }) => sel.name === step.name && (sel.index === undefined || sel.index === step.count);
const matchesAny = (sels: StepSelector[] | undefined, step: { name: string; count: number }) => sels === undefined || sels.some((s) => matches(s, step));

interface AttemptRule {
	step: StepSelector;
	outcome: { value: unknown } | { error: unknown } | { timeout: true };
	/** How many attempts it replaces (all when undefined). */
	times: number | undefined;
	used: Map<string, number>;
}

export class StepModifier {
	#sleeps: { steps: StepSelector[] | undefined }[] = [];
	#retryDelays: { steps: StepSelector[] | undefined }[] = [];
	#attempts: AttemptRule[] = [];
	#events: { type: string; payload: unknown }[] = [];
	#eventTimeouts: StepSelector[] = [];

	/** Sleeps (all, or these) end at once. */
	disableSleeps(steps?: StepSelector[]): void {
		this.#sleeps.push({ steps });
	}
	/** Retries (of all steps, or these) start at once. */
	disableRetryDelays(steps?: StepSelector[]): void {
		this.#retryDelays.push({ steps });
	}
	/** The step returns `value` without running its body. Once per step. */
	mockStepResult(step: StepSelector, value: unknown): void {
		if (this.#attempts.some((r) => "value" in r.outcome && r.step.name === step.name && r.step.index === step.index)) {
			throw new ValidationError("testing.duplicate_mock", `mockStepResult was already given for step "${step.name}"${step.index ? ` #${step.index}` : ""}`);
		}
		this.#attempts.push({ step, outcome: { value }, times: undefined, used: new Map() });
	}
	/** The step's attempts fail with `error` (the first `times` of them, or all). */
	mockStepError(step: StepSelector, error: unknown, times?: number): void {
		this.#attempts.push({ step, outcome: { error }, times, used: new Map() });
	}
	/** The step's attempts time out (the first `times` of them, or all). */
	forceStepTimeout(step: StepSelector, times?: number): void {
		this.#attempts.push({ step, outcome: { timeout: true }, times, used: new Map() });
	}
	/** Waits for this event type receive it at once. */
	mockEvent(event: { type: string; payload?: unknown }): void {
		this.#events.push({ type: event.type, payload: event.payload });
	}
	/** The wait times out at once. */
	forceEventTimeout(step: StepSelector): void {
		this.#eventTimeouts.push(step);
	}

	/** The engine-side form of these rules. */
	interceptor(): StepInterceptor {
		return {
			attempt: (step) => {
				for (const rule of this.#attempts) {
					if (!matches(rule.step, step)) continue;
					const key = `${step.name}#${step.count}`;
					const used = rule.used.get(key) ?? 0;
					if (rule.times !== undefined && used >= rule.times) continue;
					rule.used.set(key, used + 1);
					return rule.outcome;
				}
				return undefined;
			},
			retryDelay: (step, delayMs) => (this.#retryDelays.some((r) => matchesAny(r.steps, step)) ? 0 : delayMs),
			sleep: (step, ms) => (this.#sleeps.some((r) => matchesAny(r.steps, step)) ? 0 : ms),
			event: (step) => {
				if (this.#eventTimeouts.some((s) => matches(s, step))) return { timeout: true };
				const e = this.#events.find((x) => x.type === step.type);
				return e ? { payload: e.payload } : undefined;
			},
		};
	}
}
