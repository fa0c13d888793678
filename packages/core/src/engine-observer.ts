// What an engine tells the outside world while it runs. Metrics, structured logs and alerts are
// built on these callbacks outside core (packages/telemetry), so core stays I/O-free: it only
// calls them. Every method is optional and called synchronously on the hot path: an observer
// must be cheap and must not throw. With no observer attached, each call site costs one check.
import type { StoreObserver } from "./store.js";

/** The instance an activation runs, and the epoch of its claim. */
export interface ActivationInfo {
	workflow: string;
	id: string;
	epoch: number;
	/** When the instance was created (with workflow and id, what its trace id derives from). */
	createdAt: number;
}

/** How an activation ended: what it wrote last, or "aborted" (terminated, restarted, lease lost, shutdown). */
export type ActivationEnd = "complete" | "errored" | "terminated" | "suspend" | "aborted";

export interface AttemptReport {
	workflow: string;
	id: string;
	/** The step's name, as given to step.do; its count is the n-th use of that name in the run. */
	step: string;
	count: number;
	attempt: number;
	ok: boolean;
	/** Engine clock, ms. */
	startedAt: number;
	endedAt: number;
	/** Set when the attempt failed and another one is scheduled. */
	retryAt?: number;
	error?: { name: string; message: string };
	/** Lines of console output captured from the body (after bounding). */
	logLines: number;
}

/** A timer that came due and was acted on: a sleep's end, a retry's backoff, an event wait's timeout. */
export interface TimerReport {
	workflow: string;
	id: string;
	kind: "sleep" | "retry" | "waitTimeout";
	step: string;
	/** When it was due (after pauses), and when the activation that acted on it looked at it. */
	dueAt: number;
	firedAt: number;
}

/** The engine hands the observer to its store too (Store.observe), for commits, stale writes and takeovers. */
export interface EngineObserver extends StoreObserver {
	/** Instances inserted by create/createBatch (those that already existed are not counted). */
	instancesCreated?(workflow: string, count: number): void;
	activationStarted?(activation: ActivationInfo): void;
	/** Once per activation, after its last write was acknowledged (or when it was dropped). */
	activationEnded?(activation: ActivationInfo, end: ActivationEnd, error?: { name: string; message: string }): void;
	attemptEnded?(report: AttemptReport): void;
	timerFired?(report: TimerReport): void;
	/** An instance's workflow has `onDivergence: "hold"` and its code parted from its journal. */
	instanceHeld?(key: { workflow: string; id: string }, message: string): void;
	instanceTerminated?(key: { workflow: string; id: string }): void;
}
