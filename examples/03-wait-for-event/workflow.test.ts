import assert from "node:assert/strict";
import { test } from "node:test";
import { elapsedMs, itemsOf, stepNamed } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { APPROVAL, runWaitForEventExample, waitForEventWorkflows } from "./workflow.js";

test("an approval event sent with sendEvent reaches the waiting workflow; an unanswered wait times out and is caught", async () => {
	const [answered, unanswered] = await withTempEngine(waitForEventWorkflows, runWaitForEventExample);
	assert.ok(answered && unanswered);

	assert.equal(answered.status.status, "complete");
	const out = answered.status.output as { decision: string; approver: string; decidedAt: string };
	assert.equal(out.decision, "approved");
	assert.equal(out.approver, APPROVAL.approver);
	const [wait] = itemsOf(answered.details, "waitForEvent");
	assert.ok(wait, "the timeline has the wait");
	assert.equal(wait.event_type, "approval");
	assert.equal(wait.finished, true);
	assert.equal(wait.error, null);
	assert.deepEqual((wait.output as { payload: unknown }).payload, APPROVAL, "the timeline holds the payload that was sent");
	assert.ok(Date.parse(out.decidedAt) >= Date.parse(wait.start), "the driver sent the approval only once the workflow was waiting for it");
	assert.equal(stepNamed(answered.details, "record decision").success, true);

	assert.equal(unanswered.status.status, "complete", "the timeout was caught, so the instance still completes");
	assert.deepEqual(unanswered.status.output, { expenseId: "EXP-2", decision: "escalated", waitError: "WorkflowTimeoutError" });
	const [expired] = itemsOf(unanswered.details, "waitForEvent");
	assert.ok(expired, "the timeline has the wait");
	assert.equal(expired.error?.name, "WorkflowTimeoutError");
	const waited = elapsedMs(expired.start, expired.end);
	assert.ok(waited !== null && waited >= 300, `the wait gave up after ${waited} ms; its timeout is 300 ms`);
	assert.equal(stepNamed(unanswered.details, "escalate to manager").success, true);
});
