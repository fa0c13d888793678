import assert from "node:assert/strict";
import { test } from "node:test";
import { waitForFinish } from "../shared/poll.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { childWorkflowsWorkflows, type ElectionResult, runElection } from "./workflow.js";

test("a parent fans out to 1,000 children and fans their typed results in, a failed child included", async () => {
	await withTempEngine(childWorkflowsWorkflows, async (engine) => {
		const parent = await runElection(engine, 1000);
		const status = await waitForFinish(parent, 120_000);
		assert.equal(status.status, "complete");
		const out = status.output as ElectionResult;
		assert.equal(out.counted, 999);
		assert.deepEqual(out.failed, [{ region: 0, why: "region 0 has no ballot box" }]);
		let yes = 0;
		let no = 0;
		for (let r = 1; r < 1000; r++) {
			yes += (r * 7) % 13;
			no += (r * 5) % 11;
		}
		assert.deepEqual([out.yes, out.no], [yes, no]);
		const children = await engine.listWorkflows();
		assert.deepEqual(children.find((w) => w.name === "tally-region")?.instances, { complete: 999, errored: 1 });
	});
});

test("a second parent runs while the first waits on its children: waiting holds no slot (the parents' limit is 1)", async () => {
	await withTempEngine(childWorkflowsWorkflows, async (engine) => {
		const first = await runElection(engine, 20);
		const second = await runElection(engine, 20);
		assert.equal((await waitForFinish(first, 30_000)).status, "complete");
		assert.equal((await waitForFinish(second, 30_000)).status, "complete");
	});
});
