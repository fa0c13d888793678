// Everything a server process observes, put together: metrics, structured logs, tracing (when
// the OTEL_* environment asks for it) and alert rules. Hand `observer` to the engine when it is
// built, then attach() the engine, which starts the alert checks (and, on a store shared by
// several processes, the periodic flush of finish counts); close() stops them and flushes
// pending spans.
import { type Engine, type EngineObserver, tryParseDuration } from "@weft/core";
import type { DestinationStream, Logger } from "pino";
import { AlertMonitor } from "./alert-monitor.js";
import type { AlertRule } from "./alert-rules.js";
import { combineObservers } from "./combine-observers.js";
import { createEngineLogger, type LogLevel, loggingObserver } from "./engine-logger.js";
import { FinishWindow } from "./finish-window.js";
import type { WebhookDelivery } from "./post-webhook.js";
import { SharedFinishes, tallyStore } from "./shared-finishes.js";
import { startTracingFromEnv, type Tracing } from "./tracing.js";
import { WeftMetrics } from "./weft-metrics.js";

export interface TelemetryOptions {
	/** The workflows served, with their concurrency limit per process (null: none). */
	workflows: { name: string; concurrencyLimit: number | null }[];
	logLevel?: LogLevel | undefined;
	/** Where engine log lines go (default: standard error). */
	logDestination?: DestinationStream;
	alerts?: AlertRule[] | undefined;
	/**
	 * False for processes that do not evaluate the rules (weft worker): they only add their
	 * finishes to a shared store's tally, for the errorRate rules servers evaluate. Default true.
	 */
	evaluateAlerts?: boolean | undefined;
	alertWebhook?: string | undefined;
	/** How often alert rules are evaluated (default 15 s). */
	alertIntervalMs?: number | undefined;
	alertDelivery?: WebhookDelivery;
	/** Tracing to use; default: as the OTEL_* environment says (usually none). */
	tracing?: Tracing | null;
	/** Distinct step names kept as metric labels per workflow (default 50). */
	stepLabelLimit?: number | undefined;
}

export interface Telemetry {
	readonly observer: EngineObserver;
	readonly metrics: WeftMetrics;
	readonly logger: Logger;
	/** Null until attach(), and when there are no rules. */
	readonly alerts: AlertMonitor | null;
	attach(engine: Engine): void;
	close(): Promise<void>;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
	const logger = createEngineLogger({ level: options.logLevel, ...(options.logDestination ? { destination: options.logDestination } : {}) });
	const metrics = new WeftMetrics({
		workflows: options.workflows,
		...(options.stepLabelLimit !== undefined ? { stepLabelLimit: options.stepLabelLimit } : {}),
		// Alert checks read the store through the same cached reading: never older than their interval.
		storeReadingMaxAgeMs: Math.min(5000, options.alertIntervalMs ?? 5000),
	});
	const tracing = options.tracing === undefined ? startTracingFromEnv() : options.tracing;
	const rateWindows = (options.alerts ?? []).flatMap((r) => (r.kind === "errorRate" ? [tryParseDuration(r.window) ?? 0] : []));
	// Tallying until attach() knows whether the store keeps a shared tally to flush it to.
	const finishes = rateWindows.length > 0 ? new FinishWindow(Math.max(...rateWindows), { tally: true }) : null;
	const observers = [metrics.observer, loggingObserver(logger), ...(tracing ? [tracing.observer] : []), ...(finishes ? [finishes.observer] : [])];
	const observer = combineObservers(observers, (e) => logger.error({ err: e }, "an engine observer failed"));
	let alerts: AlertMonitor | null = null;
	let shared: SharedFinishes | null = null;
	let stopping: Promise<void> | null = null;
	// Both write to the store (the last finish counts, handing the alerts role back), so they stop before it closes.
	const stopAlerts = () => {
		stopping ??= (async () => {
			await alerts?.stop();
			await shared?.stop();
		})();
		return stopping;
	};
	return {
		observer,
		metrics,
		logger,
		get alerts() {
			return alerts;
		},
		attach(engine) {
			metrics.attach(engine);
			tracing?.attach(engine);
			const intervalMs = options.alertIntervalMs ?? 15_000;
			const tally = tallyStore(engine.store);
			if (finishes && tally) {
				shared = new SharedFinishes({
					store: tally,
					window: finishes,
					intervalMs,
					onError: (e) => logger.error({ err: e }, "adding finish counts to the shared tally failed"),
				});
				shared.start();
			} else if (finishes) {
				finishes.tally = false;
				finishes.drain();
			}
			const rules = options.evaluateAlerts === false ? [] : (options.alerts ?? []);
			if (shared || rules.length > 0) {
				// The final flush and the role's hand-back, after the last activations ended and before the store closes.
				engine.onClose(stopAlerts);
			}
			if (rules.length === 0 || !metrics.snapshot) return;
			alerts = new AlertMonitor({
				engine,
				snapshot: metrics.snapshot,
				finishes: finishes ?? new FinishWindow(0),
				sharedFinishes: shared,
				onRole: (holding, holder) =>
					logger.info({ holder }, holding ? "this process now sends the alert notifications" : "this process no longer sends the alert notifications"),
				rules,
				workflows: options.workflows.map((w) => w.name),
				defaultWebhook: options.alertWebhook,
				...(options.alertIntervalMs !== undefined ? { intervalMs: options.alertIntervalMs } : {}),
				...(options.alertDelivery ? { delivery: options.alertDelivery } : {}),
				onDelivery: (rule, outcome) => {
					if (outcome.ok) logger.info({ rule, tries: outcome.tries }, "alert webhook delivered");
					else logger.warn({ rule, tries: outcome.tries, reason: outcome.reason }, "alert webhook not delivered");
				},
				onError: (e) => logger.error({ err: e }, "evaluating alert rules failed"),
			});
			alerts.start();
		},
		async close() {
			await stopAlerts();
			await tracing?.shutdown();
			logger.flush();
		},
	};
}
