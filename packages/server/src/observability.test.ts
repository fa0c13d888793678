// Metrics, step logs and alerts on a real server: a project on a real SQLite file, served over
// HTTP on 127.0.0.1 on a free port, as `weft start` serves it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WeftClient } from "@weft/client";
import { OBSERVED_WORKFLOWS, OBSERVED_WORKFLOWS_TS, sample, startWebhookReceiver, untilFinished } from "./observability-fixture.js";
import { makeProject } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";

const TOKEN = "observability-test-token";

function project(extra: Record<string, unknown> = {}) {
	return makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({ main: "./workflows.ts", workflows: OBSERVED_WORKFLOWS, logs: { echoConsole: false }, ...extra }),
		"workflows.ts": OBSERVED_WORKFLOWS_TS,
	});
}

test("GET /metrics counts a known workload: instances, steps, retries, timers, commits, limits", async () => {
	const p = project();
	const served = await serveProject({ cwd: p.dir, port: 0, token: TOKEN });
	try {
		const client = new WeftClient({ url: served.url, token: TOKEN });
		const started = [
			...(await Promise.all([1, 2, 3].map((i) => client.workflow("ok").create({ params: { name: `secret-param-${i}` } })))).map((i) => ({
				workflow: "ok",
				id: i.id,
			})),
			...(await Promise.all([1, 2].map(() => client.workflow("flaky").create()))).map((i) => ({ workflow: "flaky", id: i.id })),
			{ workflow: "broken", id: (await client.workflow("broken").create()).id },
		];
		await untilFinished(client, started);

		assert.equal((await fetch(`${served.url}/metrics`)).status, 401, "the same auth as the API");
		const response = await fetch(`${served.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
		assert.equal(response.status, 200);
		assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
		const text = await response.text();
		const expect = (series: string, value: number) => assert.equal(sample(text, series), value, series);

		expect('weft_instances_created_total{workflow="ok"}', 3);
		expect('weft_instances_created_total{workflow="flaky"}', 2);
		expect('weft_instances_created_total{workflow="chatty"}', 0);
		expect('weft_instances_completed_total{workflow="ok"}', 3);
		expect('weft_instances_completed_total{workflow="flaky"}', 2);
		expect('weft_instances_errored_total{workflow="broken"}', 1);
		expect('weft_instances{workflow="ok",status="complete"}', 3);
		expect('weft_instances{workflow="broken",status="errored"}', 1);
		expect('weft_instances{workflow="ok",status="queued"}', 0);
		expect('weft_step_attempts_total{workflow="ok",step="work"}', 3);
		expect('weft_step_attempts_total{workflow="flaky",step="flaky"}', 4);
		expect('weft_step_retries_total{workflow="flaky",step="flaky"}', 2);
		expect('weft_step_attempts_total{workflow="broken",step="boom"}', 1);
		expect('weft_step_duration_seconds_count{workflow="ok",step="work"}', 3);
		// Two retry backoffs and two sleeps came due and were acted on, each once.
		expect("weft_timer_lateness_seconds_count", 4);
		expect('weft_running_instances{workflow="ok"}', 0);
		expect('weft_concurrency_limit{workflow="ok"}', 2);
		expect('weft_concurrency_limit{workflow="flaky"}', Number.POSITIVE_INFINITY);
		expect('weft_queue_depth{workflow="ok"}', 0);
		expect('weft_queue_oldest_age_seconds{workflow="ok"}', 0);
		expect('weft_held_instances{workflow="ok"}', 0);
		expect("weft_lease_takeovers_total", 0);
		expect("weft_stale_writes_rejected_total", 0);
		assert.ok((sample(text, "weft_commit_batch_size_count") ?? 0) > 0, "group commits observed");
		assert.ok((sample(text, "weft_commit_duration_seconds_count") ?? 0) > 0);
		assert.ok(!text.includes("secret-param"), "params never reach a label");
	} finally {
		await served.close();
		p.cleanup();
	}
});

test("console output of a step body lands in its attempt's logs, bounded, in the detail and at …/logs", async () => {
	const p = project();
	const served = await serveProject({ cwd: p.dir, port: 0 });
	try {
		const client = new WeftClient({ url: served.url });
		const ok = await client.workflow("ok").create({ params: { name: "Ada" } });
		const chatty = await client.workflow("chatty").create();
		await untilFinished(client, [
			{ workflow: "ok", id: ok.id },
			{ workflow: "chatty", id: chatty.id },
		]);

		const { logs } = await ok.logs();
		assert.deepEqual(
			logs.map(({ step, count, attempt, level, message }) => ({ step, count, attempt, level, message })),
			[
				{ step: "work", count: 1, attempt: 1, level: "info", message: "hello from Ada" },
				{ step: "work", count: 1, attempt: 1, level: "warn", message: "careful" },
			],
		);
		assert.ok(logs.every((l) => !Number.isNaN(Date.parse(l.at))));
		const details = await ok.details();
		const step = details.steps[0];
		assert.ok(step?.type === "step");
		assert.deepEqual(
			step.attempts[0]?.logs.map((l) => l.message),
			["hello from Ada", "careful"],
		);

		const chatter = (await chatty.logs()).logs;
		assert.equal(chatter.length, 101, "100 lines kept, then the truncation line");
		assert.equal(chatter[99]?.message, "line 99");
		assert.match(chatter[100]?.message ?? "", /50 more lines dropped/);
	} finally {
		await served.close();
		p.cleanup();
	}
});

test("alert rules fire and resolve through a webhook, and GET /api/alerts lists their state", async () => {
	const receiver = await startWebhookReceiver(1);
	const p = project({
		alertWebhook: receiver.url,
		alertInterval: 1000,
		alerts: [
			{ name: "blocked-stuck", kind: "stuck", workflow: "blocked", for: 1 },
			{ name: "errors", kind: "errorRate", over: 0.1, window: "1 hour" },
		],
	});
	const served = await serveProject({ cwd: p.dir, port: 0 });
	try {
		const client = new WeftClient({ url: served.url });
		const initial = await client.alerts();
		assert.deepEqual(
			initial.map((a) => [a.name, a.kind, a.state, a.lastFiredAt]),
			[
				["blocked-stuck", "stuck", "ok", null],
				["errors", "errorRate", "ok", null],
			],
		);
		const blocked = await client.workflow("blocked").create();
		const broken = await client.workflow("broken").create();
		await untilFinished(client, [{ workflow: "broken", id: broken.id }]);
		// Both rules fire: the first delivery is answered 500 and tried again.
		await receiver.until(2);
		const firing = receiver.received as { rule: { name: string }; state: string; detail: string; instanceIds: { workflow: string; id: string }[] }[];
		const byRule = new Map(firing.map((n) => [n.rule.name, n]));
		assert.equal(byRule.get("blocked-stuck")?.state, "firing");
		assert.deepEqual(byRule.get("blocked-stuck")?.instanceIds, [{ workflow: "blocked", id: blocked.id }]);
		assert.equal(byRule.get("errors")?.state, "firing");
		assert.deepEqual(byRule.get("errors")?.instanceIds, [{ workflow: "broken", id: broken.id }]);
		assert.match(byRule.get("errors")?.detail ?? "", /1 of 1 instance finished in the last 1 hour errored/);
		const listed = new Map((await client.alerts()).map((a) => [a.name, a]));
		assert.equal(listed.get("blocked-stuck")?.state, "firing");
		assert.ok(listed.get("blocked-stuck")?.lastFiredAt);

		// Unblocked, the instance completes and the stuck rule resolves.
		(globalThis as { releaseBlocked?: (v: unknown) => void }).releaseBlocked?.("released");
		await untilFinished(client, [{ workflow: "blocked", id: blocked.id }]);
		await receiver.until(3);
		assert.deepEqual((receiver.received[2] as { rule: { name: string }; state: string }).rule.name, "blocked-stuck");
		assert.equal((receiver.received[2] as { state: string }).state, "resolved");
		assert.equal((await client.alerts()).find((a) => a.name === "blocked-stuck")?.state, "ok");
	} finally {
		await served.close();
		await receiver.close();
		p.cleanup();
	}
});

test("a server started on a file another process left running takes its instances over: weft_lease_takeovers_total", async () => {
	const p = project();
	try {
		const first = await serveProject({ cwd: p.dir, port: 0 });
		const client = new WeftClient({ url: first.url });
		const blocked = await client.workflow("blocked").create();
		while ((await blocked.status()).status !== "running") await new Promise((r) => setTimeout(r, 10));
		// Stopped with no grace: the activation is abandoned, the row stays running, as after a crash.
		await first.server.close();
		await first.engine.close({ graceMs: 0 });
		const holder = globalThis as { releaseBlocked?: ((v: unknown) => void) | undefined };
		// The abandoned body still holds its step-timeout timer until it settles: settle it.
		holder.releaseBlocked?.("abandoned");
		holder.releaseBlocked = undefined;

		const second = await serveProject({ cwd: p.dir, port: 0 });
		try {
			const text = await (await fetch(`${second.url}/metrics`)).text();
			assert.equal(sample(text, "weft_lease_takeovers_total"), 1);
			// The body runs again under the new process (at least once); let it finish.
			const release = () => holder.releaseBlocked;
			while (!release()) await new Promise((r) => setTimeout(r, 10));
			release()?.("released");
			await untilFinished(new WeftClient({ url: second.url }), [{ workflow: "blocked", id: blocked.id }]);
		} finally {
			await second.close();
		}
	} finally {
		p.cleanup();
	}
});
