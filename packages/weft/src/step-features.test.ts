// Cloudflare's remaining step features: `sensitive: "output"` redacts a step's output wherever it
// is shown, and `limits.steps` bounds the steps and waits of an instance (sleeps do not count).
import assert from "node:assert/strict";
import { test } from "node:test";
import { WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

class Secretive extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const token = await step.do("fetch token", { sensitive: "output" }, async () => "s3cret-token");
		const shown = await step.do("use token", async () => `used ${token.length} chars`);
		return { shown };
	}
}

test('sensitive: "output" redacts the step\'s output in details and the journal stream, while the code gets the value', async () => {
	const h = await startEngine({ S: { name: "secretive", class: Secretive } });
	try {
		const i = await h.engine.bindings.S!.create({ id: "s" });
		assert.deepEqual((await waitTerminal(i)).output, { shown: "used 12 chars" });
		const d = await h.engine.details({ workflow: "secretive", id: "s" });
		const [fetch, use] = d.steps as { output: unknown; config: { sensitive?: string } }[];
		assert.equal(fetch?.output, "[REDACTED]");
		assert.equal(fetch?.config.sensitive, "output");
		assert.equal(use?.output, "used 12 chars");
		const journal = await h.engine.readJournal({ workflow: "secretive", id: "s" });
		assert.ok(!JSON.stringify(journal).includes("s3cret-token"), "the journal as shown holds no secret");
	} finally {
		await h.close();
	}
});

class Busy extends WorkflowEntrypoint<unknown, { steps: number }> {
	async run(event: WorkflowEvent<{ steps: number }>, step: WorkflowStep) {
		for (let i = 0; i < event.payload.steps; i++) {
			await step.sleep(`nap ${i}`, 0);
			try {
				await step.do(`work ${i}`, async () => i);
			} catch {
				// A limit is not something the code can catch its way past.
			}
		}
		return "done";
	}
}

test("limits.steps fails an instance that asks for more steps; sleeps do not count; a bad limit is refused", async () => {
	const h = await startEngine({ B: { name: "busy", class: Busy, limits: { steps: 5 } } });
	try {
		assert.equal((await waitTerminal(await h.engine.bindings.B!.create({ params: { steps: 5 } }))).status, "complete");
		const over = await waitTerminal(await h.engine.bindings.B!.create({ params: { steps: 6 } }));
		assert.equal(over.status, "errored");
		assert.match(over.error?.message ?? "", /exceeded its limit of 5 steps/);
	} finally {
		await h.close();
	}
	await assert.rejects(
		startEngine({ B: { name: "busy", class: Busy, limits: { steps: 30_000 } } }),
		(e) => e instanceof WeftError && e.code === "workflow.invalid_limits",
	);
});
