import assert from "node:assert/strict";
import { test } from "node:test";
import { itemsOf, stepNamed } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { childWorkflowWorkflows, type FulfilmentResult, runChildWorkflowExample } from "./workflow.js";

test("a parent starts a child through env.CHILD, polls it between sleeps, and returns the child's output", async () => {
	const [parent, child] = await withTempEngine(childWorkflowWorkflows, runChildWorkflowExample);
	assert.ok(parent && child);

	assert.equal(child.status.status, "complete");
	assert.deepEqual(child.status.output, { orderId: "ORD-7", lines: 3, total: 67.49 });
	assert.equal(child.details.workflow, "order-report");
	// Measured between the steps around the sleep: the next step may only start once the sleep is due.
	const slept = Date.parse(stepNamed(child.details, "render report").start) - Date.parse(stepNamed(child.details, "collect line items").end ?? "");
	assert.ok(slept >= 500, `the child's next step ran ${slept} ms after the one before its 500 ms sleep`);
	assert.equal(itemsOf(child.details, "sleep")[0]?.name, "wait for the warehouse export");

	assert.equal(parent.status.status, "complete");
	const out = parent.status.output as FulfilmentResult;
	assert.equal(out.childId, child.id);
	assert.deepEqual(out.report, child.status.output, "the parent returns exactly what the child returned");
	// The child needs 500 ms and the parent checks every 200 ms, so the first check cannot see it done.
	assert.ok(out.polls >= 2, `the parent found the child done after ${out.polls} check(s)`);
	const checks = itemsOf(parent.details, "step").filter((s) => s.name.startsWith("check child "));
	assert.equal(checks.length, out.polls);
	assert.equal(itemsOf(parent.details, "sleep").length, out.polls - 1, "one pause between each pair of checks");
	assert.ok(Date.parse(child.details.queued) >= Date.parse(stepNamed(parent.details, "start child").start), "the child was created by the parent's first step");
});
