// Alert rules as a project config states them, and their validation: every problem is reported
// with the path of the bad key (alerts[2].window), for the server to raise as `config.invalid`.
import { tryParseDuration } from "@weft/core";

/** Milliseconds, or a duration such as "10 minutes". */
export type AlertDuration = number | string;

interface RuleBase {
	/** Unique among the rules; what the webhook and GET /api/alerts call it. */
	name: string;
	/** Only this workflow's instances (default: every workflow). */
	workflow?: string;
	/** Where this rule's state changes are POSTed (default: the config's alertWebhook). */
	webhook?: string;
}

/** Instances queued, running or finishing a pause that have not changed for longer than `for`. */
export interface StuckRule extends RuleBase {
	kind: "stuck";
	for: AlertDuration;
}

/** More than `over` (0–1) of the instances that finished within `window` errored. */
export interface ErrorRateRule extends RuleBase {
	kind: "errorRate";
	over: number;
	window: AlertDuration;
	/** Finished instances the window needs before the rate counts (default 1). */
	minInstances?: number;
}

/** An instance has been due and unclaimed for longer than `olderThan` (the queue is not draining). */
export interface QueueAgeRule extends RuleBase {
	kind: "queueAge";
	olderThan: AlertDuration;
}

export type AlertRule = StuckRule | ErrorRateRule | QueueAgeRule;

const KEYS: Record<AlertRule["kind"], string[]> = {
	stuck: ["name", "kind", "workflow", "webhook", "for"],
	errorRate: ["name", "kind", "workflow", "webhook", "over", "window", "minInstances"],
	queueAge: ["name", "kind", "workflow", "webhook", "olderThan"],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function isWebhookUrl(v: unknown): v is string {
	if (typeof v !== "string") return false;
	try {
		const url = new URL(v);
		return url.protocol === "http:" || url.protocol === "https:";
	} catch {
		return false;
	}
}

/**
 * Checks `alerts` and `alertWebhook` of a config; calls `fail` with a message naming the first
 * bad key. `workflows` are the names the config registers (a rule may name only those).
 */
export function checkAlertRules(alerts: unknown, alertWebhook: unknown, workflows: ReadonlySet<string>, fail: (message: string) => never): void {
	if (alertWebhook !== undefined && !isWebhookUrl(alertWebhook)) fail('"alertWebhook" must be an http:// or https:// URL');
	if (alerts === undefined) return;
	if (!Array.isArray(alerts)) fail('"alerts" must be an array of rules such as { name: "stuck", kind: "stuck", for: "10 minutes" }');
	const names = new Set<string>();
	for (const [i, rule] of (alerts as unknown[]).entries()) {
		const at = `alerts[${i}]`;
		if (!isObject(rule)) fail(`${at} must be an object { name, kind, … }`);
		const r = rule as Record<string, unknown>;
		if (typeof r.name !== "string" || r.name === "" || r.name.length > 100) fail(`${at}.name must be a string of 1–100 characters`);
		if (names.has(r.name as string)) fail(`two alert rules are named "${r.name}"`);
		names.add(r.name as string);
		const keys = KEYS[r.kind as AlertRule["kind"]];
		if (!keys) fail(`${at}.kind ${JSON.stringify(r.kind)} must be "stuck", "errorRate" or "queueAge"`);
		for (const key of Object.keys(r)) if (!keys.includes(key)) fail(`${at} has an unknown key "${key}" for kind "${r.kind}"; the keys are ${keys.join(", ")}`);
		if (r.workflow !== undefined && (typeof r.workflow !== "string" || !workflows.has(r.workflow)))
			fail(`${at}.workflow ${JSON.stringify(r.workflow)} must name a workflow of this config (${[...workflows].join(", ")})`);
		if (r.webhook !== undefined && !isWebhookUrl(r.webhook)) fail(`${at}.webhook must be an http:// or https:// URL`);
		const duration = (key: string) => {
			if (!(tryParseDuration(r[key]) !== undefined && (tryParseDuration(r[key]) as number) > 0))
				fail(`${at}.${key} ${JSON.stringify(r[key])} must be a positive duration such as "10 minutes" (or milliseconds)`);
		};
		if (r.kind === "stuck") duration("for");
		if (r.kind === "queueAge") duration("olderThan");
		if (r.kind === "errorRate") {
			if (!(typeof r.over === "number" && r.over >= 0 && r.over < 1)) fail(`${at}.over must be a fraction from 0 to below 1, such as 0.1 for 10%`);
			duration("window");
			if (r.minInstances !== undefined && !(Number.isInteger(r.minInstances) && (r.minInstances as number) >= 1))
				fail(`${at}.minInstances must be an integer ≥ 1`);
		}
	}
}
