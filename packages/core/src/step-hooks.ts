// The seams through which tools watch or change what an activation's steps do: replay (which
// answers every step from a history and reports what it sees) and the test kit (which mocks steps).
import type { StepKind } from "./journal.js";
import type { ResolvedStepConfig } from "./step-config.js";

/** A step the code asked for, as replay reports it. */
export interface StepRequest {
	kind: StepKind;
	name: string;
	count: number;
	key: string;
	/** Where in the workflow's source the step was called ("file:line:column"), when known. */
	site: string | null;
}

/**
 * Test support (@weft/testing, Cloudflare's `introspectWorkflow` modifiers): replaces what steps
 * do, without changing how their outcomes are journaled.
 */
export interface StepInterceptor {
	/** An attempt's outcome instead of running its body; undefined runs the body. */
	attempt?(step: { name: string; count: number; attempt: number }): { value: unknown } | { error: unknown } | { timeout: true } | undefined;
	/** The wait before the next attempt (ms), given the configured one. */
	retryDelay?(step: { name: string; count: number; attempt: number }, delayMs: number): number;
	/** A sleep's length (ms), given the requested one. */
	sleep?(step: { name: string; count: number }, ms: number): number;
	/** An event (or a timeout) for a wait, instead of waiting for one; undefined waits. */
	event?(step: { name: string; count: number; type: string }): { payload: unknown } | { timeout: true } | undefined;
}

export interface ReplayObserver {
	/** The journal answered this step. */
	served(request: StepRequest): void;
	/** The journal does not settle this step; in replay nothing runs, and the activation stops here. */
	missing(request: StepRequest): void;
	/** The journal answered a step whose config the code has since changed. */
	configChanged(request: StepRequest, recorded: ResolvedStepConfig, requested: unknown): void;
}
