// instance.subscribe(): Cloudflare's WorkflowInstanceEvent stream, history first then live,
// ending after the terminal event. Events carry Cloudflare's shapes (docs/cloudflare-observed.md):
// numeric eventIds 1, 2, 3… that are the same on every subscribe and start again after a restart,
// numeric timestamps, "<name>-<count>" step names, rollback events, streams as streams.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NonRetryableError, WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowInstanceEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

class Flow extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const a = await step.do("a", async () => 1);
		await step.sleep("nap", 1);
		const go = await step.waitForEvent<{ n: number }>("go", { type: "go", timeout: "1 hour" });
		return a + go.payload.n;
	}
}

class Steps extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		return [await step.do("a", async () => "a"), await step.do("b", async () => "b")];
	}
}

const handlerTries = new Map<string, number>();
class Saga extends WorkflowEntrypoint<unknown, { refuse?: boolean }> {
	async run(event: WorkflowEvent<{ refuse?: boolean }>, step: WorkflowStep) {
		await step.do("book", async () => "B", {
			rollback: async () => {
				const n = (handlerTries.get(event.instanceId) ?? 0) + 1;
				handlerTries.set(event.instanceId, n);
				if (event.payload.refuse) throw new NonRetryableError("cannot undo");
				if (n === 1) throw new Error("busy");
			},
			rollbackConfig: { retries: { limit: 1, delay: 10, backoff: "constant" }, timeout: "1 minute" },
		});
		await step.do("charge", { retries: { limit: 1, delay: 10, backoff: "constant" } }, async () => {
			throw new Error("card declined");
		});
	}
}

class Streamer extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const s = await step.do("make stream", async () => {
			const bytes = new TextEncoder();
			return new ReadableStream<Uint8Array>({
				start(c) {
					c.enqueue(bytes.encode("hello "));
					c.enqueue(bytes.encode("world"));
					c.close();
				},
			});
		});
		return new Response(s).text();
	}
}

async function collect(events: AsyncIterable<WorkflowInstanceEvent>): Promise<WorkflowInstanceEvent[]> {
	const out: WorkflowInstanceEvent[] = [];
	for await (const e of events) out.push(e);
	return out;
}

/** The events without instanceId and timestamp, as docs/cloudflare-observed.md lists them. */
const shapes = (events: WorkflowInstanceEvent[]) => events.map(({ instanceId: _, timestamp: __, ...rest }) => rest);

test("subscribe replays the history, follows live events, ends after the terminal one, and resumes from a cursor", async () => {
	const h = await startEngine({ F: { name: "flow", class: Flow } });
	try {
		const i = await h.engine.bindings.F!.create({ id: "f", params: { p: 1 } });
		await waitForStatus(i, "waiting");
		const seen: WorkflowInstanceEvent[] = [];
		for await (const e of i.subscribe()) {
			seen.push(e);
			if (e.type === "wait_started") await i.sendEvent({ type: "go", payload: { n: 41 } });
		}
		const config = seen.find((e) => e.type === "step_started")?.config;
		assert.deepEqual(shapes(seen), [
			{ eventId: 1, type: "workflow_queued" },
			{ eventId: 2, type: "workflow_started", params: { p: 1 } },
			{ eventId: 3, type: "workflow_running" },
			{ eventId: 4, type: "step_started", stepName: "a-1", config },
			{ eventId: 5, type: "attempt_started", stepName: "a-1", attempt: 1 },
			{ eventId: 6, type: "attempt_completed", stepName: "a-1", attempt: 1 },
			{ eventId: 7, type: "step_completed", stepName: "a-1", output: 1 },
			{ eventId: 8, type: "sleep_started", stepName: "nap-1", durationMs: 1 },
			{ eventId: 9, type: "sleep_completed", stepName: "nap-1" },
			{ eventId: 10, type: "wait_started", stepName: "go-1", eventType: "go" },
			{ eventId: 11, type: "wait_completed", stepName: "go-1" },
			{ eventId: 12, type: "workflow_completed", output: 42 },
		]);
		assert.deepEqual((config as { retries: unknown }).retries, { limit: 5, delay: 10_000, backoff: "exponential" });
		for (const e of seen) {
			assert.equal(e.instanceId, "f");
			assert.equal(typeof e.timestamp, "number");
			assert.ok(Math.abs(e.timestamp - Date.now()) < 60_000, `${e.type}: ${e.timestamp} is ms since the epoch`);
		}

		// The numbering is stable: another subscribe yields the very same events.
		assert.deepEqual(await collect(i.subscribe()), seen);

		// From a cursor (an eventId, or its string): only what came after it; with a filter: only those types.
		assert.deepEqual(
			(await collect(i.subscribe({ cursor: 9 }))).map((e) => e.eventId),
			[10, 11, 12],
		);
		assert.deepEqual(
			(await collect(i.subscribe({ cursor: "11" }))).map((e) => e.type),
			["workflow_completed"],
		);
		assert.deepEqual(await collect(i.subscribe({ cursor: 12 })), []);
		assert.deepEqual(
			(await collect(i.subscribe({ filter: ["step_completed", "workflow_completed"] }))).map((e) => [e.eventId, e.type]),
			[
				[7, "step_completed"],
				[12, "workflow_completed"],
			],
		);
		assert.deepEqual(
			(await collect(i.subscribe({ cursor: 7, filter: ["step_completed", "workflow_completed"] }))).map((e) => e.eventId),
			[12],
		);
	} finally {
		await h.close();
	}
});

test("a bad cursor or an unknown filter type throws from subscribe() itself: Cloudflare's message, a stable code", async () => {
	const h = await startEngine({ F: { name: "flow", class: Steps } });
	try {
		const i = await h.engine.bindings.F!.create({ id: "f" });
		await waitTerminal(i);
		const invalid = (e: unknown) =>
			e instanceof WeftError && e.name === "ValidationError" && e.code === "subscribe.invalid_options" && e.message === "Invalid Workflow subscription options";
		for (const options of [
			{ cursor: "xyz" },
			{ cursor: "1.2" },
			{ cursor: -1 },
			{ cursor: 1.5 },
			{ cursor: null },
			{ filter: ["nope"] },
			{ filter: "step_completed" },
			{ filter: [1] },
		])
			assert.throws(() => i.subscribe(options as never), invalid, JSON.stringify(options));
		await assert.rejects(async () => {
			for await (const _ of i.subscribe({ filter: ["nope" as never] })) break;
		}, invalid);
	} finally {
		await h.close();
	}
});

test("a restart numbers the new run from 1 again; a live subscription ends with the run it followed", async () => {
	const h = await startEngine({ S: { name: "steps", class: Steps }, F: { name: "flow", class: Flow } });
	try {
		const i = await h.engine.bindings.S!.create({ id: "s" });
		await waitTerminal(i);
		const before = await collect(i.subscribe());
		assert.deepEqual(
			before.map((e) => e.eventId),
			Array.from({ length: 12 }, (_, n) => n + 1),
		);

		// From b: a's events are kept, numbered after the new run's start as before.
		await i.restart({ from: { name: "b" } });
		await waitTerminal(i);
		const after = await collect(i.subscribe());
		assert.deepEqual(
			after.map((e) => [e.eventId, e.type, e.stepName]),
			before.map((e) => [e.eventId, e.type, e.stepName]),
		);
		assert.ok(after[1]!.timestamp >= before.at(-1)!.timestamp, "workflow_started is the new run's");
		assert.deepEqual(await collect(i.subscribe()), after, "still stable");

		// A subscription following a run that is restarted ends: the new run is another stream.
		const f = await h.engine.bindings.F!.create({ id: "f" });
		const live: WorkflowInstanceEvent[] = [];
		for await (const e of f.subscribe()) {
			live.push(e);
			if (e.type === "wait_started") await f.restart();
		}
		assert.equal(live.at(-1)?.type, "wait_started");
		const next: WorkflowInstanceEvent[] = [];
		for await (const e of f.subscribe({ filter: ["workflow_queued", "workflow_started"] })) if (next.push(e) === 2) break;
		assert.deepEqual(
			next.map((e) => [e.eventId, e.type]),
			[
				[1, "workflow_queued"],
				[2, "workflow_started"],
			],
		);
		await f.terminate();
	} finally {
		await h.close();
	}
});

test("a failed instance's rollback chain: rollback_started, each handler's attempts, rollback_completed or rollback_errored", async () => {
	const h = await startEngine({ S: { name: "saga", class: Saga } });
	try {
		const ok = await h.engine.bindings.S!.create({ id: "ok", params: {} });
		assert.equal((await waitTerminal(ok)).status, "errored");
		const events = await collect(ok.subscribe());
		const config = events.find((e) => e.type === "rollback_step_started")?.config;
		assert.deepEqual(config, { retries: { limit: 1, delay: 10, backoff: "constant" }, timeout: "1 minute" });
		const busy = { name: "Error", message: "busy" };
		const declined = { name: "Error", message: "card declined" };
		assert.deepEqual(shapes(events).slice(7), [
			{ eventId: 8, type: "step_started", stepName: "charge-1", config: events[7]?.config },
			{ eventId: 9, type: "attempt_started", stepName: "charge-1", attempt: 1 },
			{ eventId: 10, type: "attempt_errored", stepName: "charge-1", attempt: 1, error: declined, retryDelayMs: 10 },
			{ eventId: 11, type: "attempt_started", stepName: "charge-1", attempt: 2 },
			{ eventId: 12, type: "attempt_errored", stepName: "charge-1", attempt: 2, error: declined },
			{ eventId: 13, type: "step_errored", stepName: "charge-1" },
			{ eventId: 14, type: "rollback_started" },
			{ eventId: 15, type: "rollback_step_started", stepName: "book-1", config },
			{ eventId: 16, type: "rollback_attempt_started", stepName: "book-1", attempt: 1 },
			{ eventId: 17, type: "rollback_attempt_errored", stepName: "book-1", attempt: 1, error: busy, retryDelayMs: 10 },
			{ eventId: 18, type: "rollback_attempt_started", stepName: "book-1", attempt: 2 },
			{ eventId: 19, type: "rollback_attempt_completed", stepName: "book-1", attempt: 2 },
			{ eventId: 20, type: "rollback_step_completed", stepName: "book-1" },
			{ eventId: 21, type: "rollback_completed" },
			{ eventId: 22, type: "workflow_errored", error: declined },
		]);

		const refused = await h.engine.bindings.S!.create({ id: "refused", params: { refuse: true } });
		await waitTerminal(refused);
		const chain = shapes(await collect(refused.subscribe({ cursor: 13 })));
		assert.deepEqual(chain, [
			{ eventId: 14, type: "rollback_started" },
			{ eventId: 15, type: "rollback_step_started", stepName: "book-1", config },
			{ eventId: 16, type: "rollback_attempt_started", stepName: "book-1", attempt: 1 },
			{ eventId: 17, type: "rollback_attempt_errored", stepName: "book-1", attempt: 1, error: { name: "NonRetryableError", message: "cannot undo" } },
			{ eventId: 18, type: "rollback_step_errored", stepName: "book-1", error: undefined },
			{ eventId: 19, type: "rollback_errored" },
			{ eventId: 20, type: "workflow_errored", error: declined },
		]);
		assert.ok("error" in (chain[4] as object), "rollback_step_errored has an error key, undefined, as on Cloudflare");
	} finally {
		await h.close();
	}
});

test("step_completed.output of a step that returned a stream is a new stream over its bytes, on every subscribe", async () => {
	const h = await startEngine({ S: { name: "streamer", class: Streamer } });
	try {
		const i = await h.engine.bindings.S!.create({ id: "s" });
		assert.equal((await waitTerminal(i)).output, "hello world");
		for (let n = 0; n < 2; n++) {
			const [done] = await collect(i.subscribe({ filter: ["step_completed"] }));
			assert.equal(done?.stepName, "make stream-1");
			assert.ok(done?.output instanceof ReadableStream);
			assert.equal(await new Response(done.output).text(), "hello world");
		}
	} finally {
		await h.close();
	}
});
