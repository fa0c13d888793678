import assert from "node:assert/strict";
import { test } from "node:test";
import { stepNamed } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { retriesWorkflows, runRetriesExample } from "./workflow.js";

test("a transient failure is retried with backoff, a caught failure is survived, a NonRetryableError ends the instance", async () => {
	const [clean, corrupt] = await withTempEngine(retriesWorkflows, runRetriesExample);
	assert.ok(clean && corrupt);

	assert.equal(clean.status.status, "complete");
	assert.deepEqual(clean.status.output, { batch: "2024-06-01", rows: 3, fetchAttempts: 3, enrichment: "skipped: geo service unavailable" });

	const fetch = stepNamed(clean.details, "fetch rows");
	assert.deepEqual(
		fetch.attempts.map((a) => a.success),
		[false, false, true],
	);
	assert.equal(fetch.attempts[0]?.error?.message, "upstream answered 503 on attempt 1");
	// The engine waited out the configured backoff: 50 ms before the 2nd attempt, 100 ms before the 3rd.
	const [a1, a2, a3] = fetch.attempts.map((a) => ({ start: Date.parse(a.start), end: Date.parse(a.end) }));
	assert.ok(a1 && a2 && a3);
	assert.ok(a2.start - a1.end >= 50, `retry 1 came ${a2.start - a1.end} ms after the failure; the delay is 50 ms`);
	assert.ok(a3.start - a2.end >= 100, `retry 2 came ${a3.start - a2.end} ms after the failure; the backoff makes it 100 ms`);

	const enrich = stepNamed(clean.details, "enrich rows");
	assert.equal(enrich.attempts.length, 2, "limit 1 means one retry after the first attempt");
	assert.equal(enrich.success, false);
	assert.equal(enrich.error?.message, "geo service unavailable");

	assert.equal(corrupt.status.status, "errored");
	assert.equal(corrupt.status.error?.name, "NonRetryableError");
	assert.match(corrupt.status.error?.message ?? "", /batch 2024-06-02 has 1 row\(s\) without an id/);
	const validate = stepNamed(corrupt.details, "validate rows");
	assert.equal(validate.attempts.length, 1, "a NonRetryableError must not be retried, whatever the retry limit");
	assert.equal(validate.error?.name, "NonRetryableError");
	assert.equal(
		corrupt.details.steps.some((s) => s.type === "step" && s.name === "enrich rows"),
		false,
		"nothing runs after the uncaught error",
	);
});
