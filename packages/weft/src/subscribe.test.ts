// instance.subscribe(): Cloudflare's WorkflowInstanceEvent stream, history first then live,
// ending after the terminal event; a cursor resumes right after an event; a filter keeps some types.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowInstanceEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus } from "./engine-harness.js";

class Flow extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const a = await step.do("a", async () => 1);
		await step.sleep("nap", 1);
		const go = await step.waitForEvent<{ n: number }>("go", { type: "go", timeout: "1 hour" });
		return a + go.payload.n;
	}
}

test("subscribe replays the history, follows live events, ends after the terminal one, and resumes from a cursor", async () => {
	const h = await startEngine({ F: { name: "flow", class: Flow } });
	try {
		const i = await h.engine.bindings.F!.create({ id: "f" });
		await waitForStatus(i, "waiting");
		const seen: WorkflowInstanceEvent[] = [];
		const done = (async () => {
			for await (const e of i.subscribe()) {
				seen.push(e);
				if (e.type === "wait_started") await i.sendEvent({ type: "go", payload: { n: 41 } });
			}
		})();
		await done;
		assert.deepEqual(
			seen.map((e) => e.type),
			[
				"workflow_queued",
				"workflow_started",
				"step_started",
				"attempt_started",
				"attempt_completed",
				"step_completed",
				"sleep_started",
				"wait_started",
				"wait_completed",
				"workflow_completed",
			],
		);
		assert.equal(seen.at(-1)?.output, 42);
		assert.equal(seen.find((e) => e.type === "step_completed")?.output, 1);

		// From a cursor: only what came after it; with a filter: only those types.
		const cursor = seen.find((e) => e.type === "sleep_started")?.eventId as string;
		const rest: string[] = [];
		for await (const e of i.subscribe({ cursor })) rest.push(e.type);
		assert.deepEqual(rest, ["wait_started", "wait_completed", "workflow_completed"]);
		const steps: string[] = [];
		for await (const e of i.subscribe({ filter: ["step_completed", "workflow_completed"] })) steps.push(e.type);
		assert.deepEqual(steps, ["step_completed", "workflow_completed"]);

		await assert.rejects(
			async () => {
				for await (const _ of i.subscribe({ cursor: "yesterday" })) break;
			},
			(e) => e instanceof WeftError && e.code === "subscribe.invalid_cursor",
		);
	} finally {
		await h.close();
	}
});
