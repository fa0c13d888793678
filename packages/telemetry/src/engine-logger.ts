// Structured JSON logs of what the engine does (pino: one JSON object a line, cheap when a level
// is off), each line carrying the workflow, instance, step and attempt it is about. Lifecycle
// lines are debug; failed attempts, errored and held instances warn; takeovers and terminations
// are info. Level: WEFT_LOG_LEVEL, else the config's logs.level, else "info".
import type { ActivationEnd, ActivationInfo, AttemptReport, EngineObserver, TimerReport } from "@weft/core";
import { type DestinationStream, type Logger, pino } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface EngineLoggerOptions {
	level?: LogLevel | undefined;
	/** Where lines go (default: standard error, so they never mix with a CLI's output). */
	destination?: DestinationStream;
}

export function createEngineLogger(options: EngineLoggerOptions = {}): Logger {
	const fromEnv = process.env.WEFT_LOG_LEVEL?.toLowerCase();
	const level = fromEnv && (LOG_LEVELS as readonly string[]).includes(fromEnv) ? fromEnv : (options.level ?? "info");
	return pino({ name: "weft", level, base: { pid: process.pid } }, options.destination ?? pino.destination(2));
}

/** The observer that writes the engine's structured log lines. */
export function loggingObserver(logger: Logger): EngineObserver {
	// Read once: a disabled level then costs one branch, not an object per call.
	const debug = logger.isLevelEnabled("debug");
	const instance = (a: { workflow: string; id: string }) => ({ workflow: a.workflow, instanceId: a.id });
	const observer: EngineObserver = {
		attemptEnded(r: AttemptReport) {
			if (r.ok && !debug) return;
			const fields = {
				...instance(r),
				step: r.step,
				stepCount: r.count,
				attempt: r.attempt,
				durationMs: r.endedAt - r.startedAt,
				...(r.logLines > 0 ? { logLines: r.logLines } : {}),
			};
			if (r.ok) logger.debug(fields, "attempt succeeded");
			else
				logger.warn(
					{ ...fields, error: r.error, ...(r.retryAt !== undefined ? { retryAt: new Date(r.retryAt).toISOString() } : {}) },
					r.retryAt !== undefined ? "attempt failed; will retry" : "attempt failed; no retries left",
				);
		},
		activationEnded(a: ActivationInfo, end: ActivationEnd, error?: { name: string; message: string }) {
			if (end === "errored") logger.warn({ ...instance(a), epoch: a.epoch, error }, "instance errored");
			else if (debug) logger.debug({ ...instance(a), epoch: a.epoch, end }, end === "complete" ? "instance complete" : `activation ended (${end})`);
		},
		instanceHeld(key, message) {
			logger.warn({ ...instance(key), reason: message }, "instance held: its code parted from its journal");
		},
		instanceTerminated(key) {
			logger.info(instance(key), "instance terminated");
		},
		leaseTakeovers(count: number) {
			logger.info({ count }, "took over instances whose lease had expired");
		},
		staleWriteRejected() {
			logger.info("a write under a lease that was taken over was rejected (fencing)");
		},
	};
	if (debug) {
		observer.activationStarted = (a: ActivationInfo) => logger.debug({ ...instance(a), epoch: a.epoch }, "activation started");
		observer.instancesCreated = (workflow: string, count: number) => logger.debug({ workflow, count }, "instances created");
		observer.timerFired = (t: TimerReport) =>
			logger.debug({ ...instance(t), step: t.step, timer: t.kind, latenessMs: Math.max(0, t.firedAt - t.dueAt) }, "timer fired");
	}
	return observer;
}
