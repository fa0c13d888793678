// The HTTP API driven through the typed client against a real server and engine: the same
// binding-shaped calls as in process, the same error codes, pagination and batches.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WeftApiError } from "@weft/client";
import { startTestServer, type TestServer, waitFinished } from "./server-harness.js";

let t: TestServer;
before(async () => {
	t = await startTestServer();
});
after(async () => {
	await t?.close();
});

const code = (expected: string, status: number) => (e: unknown) => {
	assert.ok(e instanceof WeftApiError, `expected a WeftApiError, got ${e}`);
	assert.equal(e.code, expected);
	assert.equal(e.status, status);
	return true;
};

test("create, run to completion, and read status, details and one step through the client", async () => {
	const greet = t.client.workflow<{ name: string }>("greet");
	const instance = await greet.create({ id: "ada", params: { name: "Ada" } });
	assert.equal(instance.id, "ada");
	assert.equal(await waitFinished(t.client, "greet", "ada"), "complete");
	assert.deepEqual(await instance.status(), { status: "complete", output: { greeting: "Hello, Ada!", shout: "HELLO, ADA!" } });

	const details = await instance.details();
	assert.deepEqual(details.params, { name: "Ada" });
	assert.deepEqual(
		details.steps.map((s) => (s.type === "termination" ? s.type : `${s.type}:${s.name}-${s.count}`)),
		["step:greet-1", "sleep:short nap-1", "step:flaky shout-1"],
	);
	const flaky = details.steps[2];
	assert.ok(flaky?.type === "step");
	assert.deepEqual(
		flaky.attempts.map((a) => [a.success, a.error?.message ?? null]),
		[
			[false, "planned failure on attempt 1"],
			[true, null],
		],
	);
	// The same timeline as the in-process engine's, plus counts on sleeps.
	const local = await (await t.engine.workflow("greet").get("ada")).details();
	assert.equal(local.steps.length, details.steps.length);
	assert.deepEqual(details.steps[0], local.steps[0]);

	const step = await instance.step("flaky shout-1");
	assert.equal(step.type, "step");
	assert.equal(step.type === "step" && step.output, "HELLO, ADA!");
	assert.equal((await instance.step("short nap-1")).type, "sleep");
	await assert.rejects(instance.step("greet-2"), code("step.not_found", 404));
	await assert.rejects(instance.step("greet"), code("step.invalid_name", 400));
});

test("errors come back with the engine's codes, the same as in process", async () => {
	const remote = t.client.workflow("greet");
	const local = t.engine.workflow("greet");
	await assert.rejects(local.get("nobody"), (e: { code?: string }) => e.code === "instance.not_found");
	await assert.rejects(remote.get("nobody"), code("instance.not_found", 404));

	await remote.create({ id: "twice" });
	await assert.rejects(local.create({ id: "twice" }), (e: { code?: string }) => e.code === "instance.already_exists");
	await assert.rejects(remote.create({ id: "twice" }), code("instance.already_exists", 409));
	await assert.rejects(remote.create({ id: "not valid!" }), code("instance.invalid_id", 400));
	await assert.rejects(t.client.workflow("no-such-workflow").create(), code("workflow.not_found", 404));
	await assert.rejects(t.client.workflow("GREET").list(), code("workflow.not_found", 404), "binding names are not workflow names");

	await waitFinished(t.client, "greet", "twice");
	await assert.rejects((await remote.get("twice")).terminate(), code("instance.cannot_terminate", 409));
	await assert.rejects((await remote.get("twice")).restart({ from: { name: "never ran" } }), code("instance.cannot_restart", 409));
});

test("pause, resume, terminate, restart and events through the client", async () => {
	const approval = t.client.workflow("approval");
	const a = await approval.create({ id: "to-approve" });
	await waitStatus(a, "waiting");
	await a.pause();
	assert.equal((await a.status()).status, "paused");
	await a.resume();
	await a.sendEvent({ type: "approval", payload: { by: "grace" } });
	assert.equal(await waitFinished(t.client, "approval", "to-approve"), "complete");
	assert.deepEqual((await a.status()).output, { approvedBy: "grace" });
	const wait = (await a.details()).steps[0];
	assert.ok(wait?.type === "waitForEvent");
	assert.equal(wait.count, 1);
	assert.equal((await a.step("await approval-1", "waitForEvent")).type, "waitForEvent");

	const b = await approval.create({ id: "to-terminate" });
	await b.terminate();
	assert.equal((await b.status()).status, "terminated");
	await b.restart();
	await b.sendEvent({ type: "approval", payload: { by: "ada" } });
	assert.equal(await waitFinished(t.client, "approval", "to-terminate"), "complete");
	assert.equal((await b.details()).generation, 1);
});

test("a failing workflow reports its error", async () => {
	const f = await t.client.workflow("failing").create({ id: "doomed" });
	assert.equal(await waitFinished(t.client, "failing", "doomed"), "errored");
	assert.deepEqual((await f.status()).error, { name: "NonRetryableError", message: "this input can never work" });
});

test("createBatch answers per item, and listing pages with an opaque cursor and filters", async () => {
	const many = t.client.workflow("approval");
	const batch = await many.createBatch({ instances: [{ id: "b-1" }, { id: "b-2" }, { id: "b-1" }, { id: "to-approve" }, { id: "b-3" }] });
	assert.deepEqual(
		batch.created.map((i) => i.id),
		["b-1", "b-2", "b-3"],
	);
	assert.deepEqual(
		batch.errors.map((e) => [e.index, e.id, e.code]),
		[
			[2, "b-1", 10415],
			[3, "to-approve", 10405],
		],
	);
	const legacy = await many.createBatch([{ id: "b-4" }, { id: "b-1" }]);
	assert.deepEqual(
		legacy.map((i) => i.id),
		["b-4"],
	);
	const counted = await many.createBatch({ count: 3, params: { n: 1 } });
	assert.equal(counted.created.length, 3);
	await assert.rejects(many.createBatch({ count: 101 }), code("batch.too_large", 400));

	// Page through everything two at a time: no duplicates, no gaps, newest first.
	const all = await many.list({ limit: 1000 });
	const seen: string[] = [];
	let cursor: string | undefined;
	let pages = 0;
	do {
		const page = await many.list({ limit: 2, ...(cursor ? { cursor } : {}) });
		assert.ok(page.instances.length <= 2);
		seen.push(...page.instances.map((i) => i.id));
		cursor = page.cursor ?? undefined;
		pages++;
	} while (cursor);
	assert.deepEqual(
		seen,
		all.instances.map((i) => i.id),
	);
	assert.ok(pages >= 4, `paged ${pages} times`);
	assert.equal(new Set(seen).size, seen.length);
	assert.deepEqual(
		(await many.list({ status: "complete" })).instances.map((i) => i.id),
		["to-terminate", "to-approve"],
	);
	const future = new Date(Date.now() + 60_000).toISOString();
	assert.equal((await many.list({ createdFrom: future })).instances.length, 0);
	assert.equal((await many.list({ createdBefore: future })).instances.length, all.instances.length);
	await assert.rejects(many.list({ cursor: "not-a-cursor" }), code("list.invalid_cursor", 400));
	await assert.rejects(many.list({ status: "sleepy" as never }), code("list.invalid_status", 400));
	await assert.rejects(many.list({ limit: 0 }), code("list.invalid_limit", 400));
});

test("workflows are listed and described with their counts", async () => {
	const workflows = await t.client.workflows();
	assert.deepEqual(workflows.map((w) => w.name).sort(), ["approval", "failing", "greet"]);
	const greet = await t.client.workflow("greet").describe();
	assert.equal(greet.binding, "GREET");
	assert.ok((greet.instances.complete ?? 0) >= 1);
	await assert.rejects(t.client.workflow("nope").describe(), code("workflow.not_found", 404));
	assert.equal((await t.client.health()).status, "ok");
	assert.deepEqual(t.serverErrors, []);
	assert.deepEqual(t.engineErrors, []);
});

async function waitStatus(instance: { status(): Promise<{ status: string }> }, wanted: string): Promise<void> {
	for (let i = 0; i < 500; i++) {
		if ((await instance.status()).status === wanted) return;
		await new Promise((r) => setTimeout(r, 10));
	}
	assert.fail(`never reached ${wanted}`);
}
