import assert from "node:assert/strict";
import { test } from "node:test";
import type { InstanceDetails } from "@weft/client";
import { timelineOf } from "../src/timeline-rows.js";
import { waitingReason } from "../src/waiting-reason.js";

const at = (ms: number) => new Date(1_767_000_000_000 + ms).toISOString();
const base = (over: Partial<InstanceDetails>): InstanceDetails =>
	({
		id: "i",
		workflow: "w",
		status: "waiting",
		params: {},
		queued: at(0),
		start: at(100),
		end: null,
		success: null,
		output: null,
		error: null,
		generation: 0,
		divergence: null,
		steps: [],
		...over,
	}) as InstanceDetails;

const retrying = base({
	steps: [
		{
			type: "step",
			name: "charge",
			count: 1,
			start: at(100),
			end: null,
			success: null,
			output: null,
			error: null,
			config: { retries: { limit: 3, delay: 1000, backoff: "constant" }, timeout: 60_000 } as never,
			attempts: [
				{ start: at(100), end: at(200), success: false, error: { name: "Error", message: "declined" } },
				{ start: at(1200), end: at(1300), success: false, error: { name: "Error", message: "declined" } },
			] as never, // (attempts gain captured logs in newer servers; not needed here)
			nextAttemptAt: at(2300),
		},
	],
});

test("a step's row has every attempt and the retry waits between and after them; the queued time has its own row", () => {
	const t = timelineOf(retrying, 1_767_000_000_000 + 1500);
	assert.deepEqual(
		t.rows.map((r) => r.label),
		["queued", "charge"],
	);
	assert.deepEqual(
		t.rows[0]?.segments.map((s) => [s.kind, s.from, s.to]),
		[["queued", Date.parse(at(0)), Date.parse(at(100))]],
	);
	assert.deepEqual(
		t.rows[1]?.segments.map((s) => s.kind),
		["attempt-failed", "retry-wait", "attempt-failed", "retry-wait"],
	);
	assert.equal(t.end, Date.parse(at(2300)), "the axis reaches the next attempt's due time");
});

test("why it waits: retry backoff, timer, event, held for divergence, queued", () => {
	assert.equal(waitingReason(retrying, 0).kind, "retry");
	assert.equal(waitingReason(retrying, 0).dueAt, at(2300));
	const sleeping = base({ steps: [{ type: "sleep", name: "nap", count: 1, start: at(0), end: at(9000), finished: false }] });
	assert.deepEqual(waitingReason(sleeping), { kind: "timer", text: `Sleeping in "nap": the timer is due at ${at(9000)}.`, dueAt: at(9000) });
	const awaiting = base({
		steps: [{ type: "waitForEvent", name: "approval", count: 1, event_type: "approved", start: at(0), end: null, finished: false, output: null, error: null }],
	});
	assert.match(waitingReason(awaiting).text, /"approved"/);
	const held = base({ status: "paused", divergence: { at: at(5), message: "step order changed" } });
	assert.equal(waitingReason(held).kind, "held");
	assert.match(waitingReason(held).text, /step order changed/);
	assert.equal(waitingReason(base({ status: "queued", start: null })).kind, "queued");
	assert.equal(waitingReason(base({ status: "paused" })).kind, "paused");
});
