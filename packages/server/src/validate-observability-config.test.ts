// The observability keys of a config: valid rules pass; each mistake is a coded error naming the key.
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConfig } from "./validate-config.js";

const base = { main: "./w.ts", workflows: [{ name: "checkout", binding: "CHECKOUT", class_name: "Checkout" }] };

test("alert rules, the webhook, the interval and logs are accepted when well-formed", () => {
	const config = validateConfig(
		{
			...base,
			logs: { level: "debug", captureConsole: true, echoConsole: false },
			alertWebhook: "https://hooks.example.com/weft",
			alertInterval: "30 seconds",
			alerts: [
				{ name: "stuck", kind: "stuck", workflow: "checkout", for: "10 minutes" },
				{ name: "errors", kind: "errorRate", over: 0.1, window: "5 minutes", minInstances: 20 },
				{ name: "queue", kind: "queueAge", olderThan: 60_000, webhook: "http://127.0.0.1:9000/hook" },
			],
		},
		"weft.config.ts",
	);
	assert.equal(config.alerts?.length, 3);
});

test("each mistake in alert rules is config.invalid_alert naming the key; logs mistakes are config.invalid", () => {
	const cases: [Record<string, unknown>, string, RegExp][] = [
		[{ alerts: [{ name: "a", kind: "slow", for: "1 minute" }] }, "config.invalid_alert", /alerts\[0\]\.kind "slow" must be "stuck", "errorRate" or "queueAge"/],
		[{ alerts: [{ name: "a", kind: "stuck", for: "soon" }] }, "config.invalid_alert", /alerts\[0\]\.for "soon" must be a positive duration/],
		[{ alerts: [{ name: "a", kind: "errorRate", over: 10, window: "1 minute" }] }, "config.invalid_alert", /alerts\[0\]\.over must be a fraction/],
		[
			{ alerts: [{ name: "a", kind: "queueAge", olderThan: "1 minute", workflow: "nope" }] },
			"config.invalid_alert",
			/alerts\[0\]\.workflow "nope" must name a workflow/,
		],
		[{ alerts: [{ name: "a", kind: "stuck", for: 1, over: 0.5 }] }, "config.invalid_alert", /alerts\[0\] has an unknown key "over" for kind "stuck"/],
		[
			{
				alerts: [
					{ name: "a", kind: "stuck", for: 1 },
					{ name: "a", kind: "stuck", for: 2 },
				],
			},
			"config.invalid_alert",
			/two alert rules are named "a"/,
		],
		[{ alertWebhook: "ftp://example.com" }, "config.invalid_alert", /"alertWebhook" must be an http/],
		[{ alertInterval: 10 }, "config.invalid_alert", /"alertInterval" must be a duration of at least 1 second/],
		[{ logs: { level: "loud" } }, "config.invalid", /logs\.level must be one of/],
		[{ logs: { colour: true } }, "config.invalid", /logs has an unknown key "colour"/],
	];
	for (const [extra, code, message] of cases)
		assert.throws(
			() => validateConfig({ ...base, ...extra }, "weft.config.ts"),
			(e: { code?: string; message?: string }) => e.code === code && message.test(e.message ?? "") && /^weft\.config\.ts: /.test(e.message ?? ""),
			JSON.stringify(extra),
		);
});
