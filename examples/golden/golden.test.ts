// The gate a team puts before a deploy, on our own examples: every golden history recorded from
// them replays against their current code with the same steps, the same end and the same output.
// A change to an example that alters its path fails here until its histories are re-recorded
// (node examples/dist/golden/record.js) — on purpose.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { replayHistory } from "weft";
import { CLASS_BY_WORKFLOW } from "./examples.js";

const DIR = fileURLToPath(new URL("../../golden/histories/", import.meta.url));
const files = readdirSync(DIR, { recursive: true, encoding: "utf8" })
	.filter((f) => f.endsWith(".json"))
	.sort();

test("there are golden histories of every example workflow", () => {
	const recorded = new Set(files.map((f) => f.split(/[\\/]/)[0]));
	assert.deepEqual([...recorded].sort(), [...CLASS_BY_WORKFLOW.keys()].sort());
});

for (const file of files) {
	test(`golden history ${file} replays against the example's current code`, async () => {
		const history = JSON.parse(readFileSync(join(DIR, file), "utf8"));
		const cls = CLASS_BY_WORKFLOW.get(history.workflow);
		assert.ok(cls, `no example defines workflow ${history.workflow}`);
		const r = await replayHistory(cls, history);
		assert.equal(r.divergence, null, r.divergence?.message);
		assert.equal(r.status, history.instance.status, "ends as recorded");
	});
}
