import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { fuzzCrashes } from "./fuzz-crashes.js";

class Transfer extends WorkflowEntrypoint<unknown, { amount: number }> {
	async run(event: WorkflowEvent<{ amount: number }>, step: WorkflowStep) {
		const debit = await step.do("debit", async () => ({ amount: event.payload.amount, at: new Date(0) }));
		const credit = await step.do("credit", { retries: { limit: 3, delay: "1 second" } }, async (ctx) => {
			if (ctx.attempt < 2) throw new Error("bank busy");
			return { amount: debit.amount, attempt: ctx.attempt };
		});
		await step.sleep("settle", "1 hour");
		const receipt = await Promise.all([step.do("email", async () => "sent"), step.do("ledger", async () => "written")]);
		return { credit, receipt };
	}
}

test("every crash point recovers to the clean run's outcome, each step committed once", async () => {
	const report = await fuzzCrashes(Transfer, { params: { amount: 5 } });
	assert.ok(report.commitPoints >= 5, `${report.commitPoints} commit points`);
	assert.equal(report.outcome.status, "complete");
	assert.deepEqual(Object.keys(report.bodyRuns).sort(), ["credit#1", "debit#1", "email#1", "ledger#1"]);
	for (const [step, runs] of Object.entries(report.bodyRuns)) assert.ok(runs >= 1, `${step} ran ${runs} times`);
	// Crashes inside bodies too: the seed picks which body starts, and a crashed body runs again.
	assert.ok(report.bodyCrashPoints.length >= 1);
	assert.ok(Math.max(...Object.values(report.bodyRuns)) >= 2, "some body ran twice: once when its process died, once after");
	const again = await fuzzCrashes(Transfer, { params: { amount: 5 } });
	assert.deepEqual(again.bodyCrashPoints, report.bodyCrashPoints, "the same seed picks the same points");
});

test("a workflow whose code outside steps is not deterministic is caught", async () => {
	// (A variable set inside a step body and read outside it is the common way to get there.)
	class Coin extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			await step.do("one", async () => 1);
			// Decided outside a step: a recovered run may decide differently.
			return Math.random() < 0.5 ? "heads" : "tails";
		}
	}
	let failures = 0;
	for (let i = 0; i < 10 && failures === 0; i++) {
		await fuzzCrashes(Coin).catch((e) => {
			assert.equal((e as { code?: string }).code, "testing.fuzz_failed");
			failures++;
		});
	}
	assert.ok(failures > 0, "ten fuzz runs of a coin flip outside steps never noticed it");
});
