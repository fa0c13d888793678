// The observability keys of a project config (logs, alerts, alertWebhook, alertInterval),
// checked like the rest of validate-config.ts: the first bad key is reported with its path, as
// `config.invalid_alert` for the alert keys and `config.invalid` for the others.
import { tryParseDuration } from "@weft/core";
import { checkAlertRules, LOG_LEVELS } from "@weft/telemetry";
import { ConfigError } from "./config-error.js";

const LOG_KEYS = ["level", "captureConsole", "echoConsole"];

export function checkObservabilityConfig(c: Record<string, unknown>, workflows: ReadonlySet<string>, file: string, fail: (message: string) => never): void {
	const failAlert = (message: string): never => {
		throw new ConfigError("config.invalid_alert", `${file}: ${message}`);
	};
	if (c.logs !== undefined) {
		const logs = c.logs as Record<string, unknown>;
		if (typeof logs !== "object" || logs === null || Array.isArray(logs)) fail('"logs" must be { level?, captureConsole?, echoConsole? }');
		for (const key of Object.keys(logs)) if (!LOG_KEYS.includes(key)) fail(`logs has an unknown key "${key}"; the keys are ${LOG_KEYS.join(", ")}`);
		if (logs.level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(logs.level)) fail(`logs.level must be one of ${LOG_LEVELS.join(", ")}`);
		for (const key of ["captureConsole", "echoConsole"])
			if (logs[key] !== undefined && typeof logs[key] !== "boolean") fail(`logs.${key} must be true or false`);
	}
	checkAlertRules(c.alerts, c.alertWebhook, workflows, failAlert);
	if (c.alertInterval !== undefined && !((tryParseDuration(c.alertInterval) ?? 0) >= 1000))
		failAlert('"alertInterval" must be a duration of at least 1 second, such as "15 seconds" (or milliseconds)');
}
