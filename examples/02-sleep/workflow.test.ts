import assert from "node:assert/strict";
import { test } from "node:test";
import { itemsOf } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { type ReminderResult, runSleepExample, sleepWorkflows } from "./workflow.js";

test("step.sleep and step.sleepUntil really wait, and the timeline records both sleeps", async () => {
	const [run] = await withTempEngine(sleepWorkflows, (engine) => runSleepExample(engine, { pauseMs: 300, reminderAfterMs: 250 }));
	assert.ok(run);
	assert.equal(run.status.status, "complete");

	const out = run.status.output as ReminderResult;
	assert.ok(out.checkedAt - out.sentAt >= 300, `step.sleep(300) let the next step run after only ${out.checkedAt - out.sentAt} ms`);
	assert.equal(out.reminderDueAt, out.checkedAt + 250);
	assert.ok(out.remindedAt >= out.reminderDueAt, `step.sleepUntil woke ${out.reminderDueAt - out.remindedAt} ms before its time`);

	const sleeps = itemsOf(run.details, "sleep");
	assert.deepEqual(
		sleeps.map((s) => [s.name, s.finished]),
		[
			["give the reader time", true],
			["wait until the reminder is due", true],
		],
	);
	assert.equal(sleeps[1]?.end, new Date(out.reminderDueAt).toISOString(), "the sleepUntil item ends at the requested time");
	assert.deepEqual(
		run.details.steps.map((s) => s.type),
		["step", "sleep", "step", "sleep", "step"],
	);
});
