// A server process's observability, from its project config: metrics for /metrics, structured
// engine logs, OTel tracing when the OTEL_* environment asks for it, alert rules, and console
// capture for step bodies (on unless logs.captureConsole is false; echoed unless echoConsole is).
import { consoleCapture, type EngineObserver, type LogCapture, tryParseDuration } from "@weft/core";
import { createTelemetry, type Telemetry } from "@weft/telemetry";
import type { LoadedConfig } from "./load-config.js";

export interface ProjectTelemetry {
	telemetry: Telemetry;
	/** What openProjectEngine needs. */
	engineOptions: { observer: EngineObserver; captureLogs?: LogCapture };
}

/**
 * `alerts: false` for processes without the HTTP API (weft worker): servers evaluate the rules;
 * a worker only adds its finishes to the shared tally that errorRate rules read (PostgreSQL).
 */
export function projectTelemetry(loaded: LoadedConfig, options: { alerts?: boolean } = {}): ProjectTelemetry {
	const { config } = loaded;
	const telemetry = createTelemetry({
		workflows: loaded.workflows.map((w) => ({ name: w.name, concurrencyLimit: w.concurrency?.limit ?? null })),
		logLevel: config.logs?.level,
		alerts: config.alerts,
		evaluateAlerts: options.alerts !== false,
		alertWebhook: config.alertWebhook,
		alertIntervalMs: config.alertInterval === undefined ? undefined : tryParseDuration(config.alertInterval),
	});
	const capture = config.logs?.captureConsole ?? true;
	return {
		telemetry,
		engineOptions: {
			observer: telemetry.observer,
			...(capture ? { captureLogs: consoleCapture({ echo: config.logs?.echoConsole ?? true }) } : {}),
		},
	};
}
