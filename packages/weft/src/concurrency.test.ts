// Concurrency limits: only running instances hold a slot; beyond the limit instances wait queued.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

test("a workflow's concurrency limit keeps the rest queued, and a sleeping instance holds no slot", async () => {
	let open: () => void = () => {};
	const gate = new Promise<void>((r) => (open = r));
	let running = 0;
	let peak = 0;
	class Gated extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			await step.sleep("first a nap", 20);
			return step.do("through the gate", async () => {
				running++;
				peak = Math.max(peak, running);
				await gate;
				running--;
				return "through";
			});
		}
	}
	class Free extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			return step.do("free", async () => "free");
		}
	}
	const h = await startEngine({ GATED: { name: "gated", class: Gated, concurrency: { limit: 2 } }, FREE: Free });
	try {
		const instances = await Promise.all(Array.from({ length: 5 }, () => h.engine.bindings.GATED!.create()));
		while (running < 2) await new Promise((r) => setTimeout(r, 5));
		await new Promise((r) => setTimeout(r, 100));
		const statuses = (await Promise.all(instances.map((i) => i.status()))).map((s) => s.status).sort();
		assert.deepEqual(statuses.filter((s) => s === "running").length, 2, `statuses: ${statuses}`);
		assert.ok(
			statuses.every((s) => s === "running" || s === "queued" || s === "waiting"),
			`the others wait their turn: ${statuses}`,
		);
		// Another workflow is not held up by this one's limit.
		assert.deepEqual(await waitTerminal(await h.engine.bindings.FREE!.create()), { status: "complete", output: "free" });
		open();
		for (const i of instances) assert.equal((await waitTerminal(i)).status, "complete");
		assert.equal(peak, 2);
	} finally {
		open();
		await h.close();
	}
});

test("a concurrency limit below 1 is refused when the engine is created", async () => {
	class Free extends WorkflowEntrypoint {
		async run() {
			return 1;
		}
	}
	await assert.rejects(
		startEngine({ FREE: { name: "free", class: Free, concurrency: { limit: 0 } } }),
		(e) => (e as { code?: string }).code === "workflow.invalid_concurrency",
	);
});
