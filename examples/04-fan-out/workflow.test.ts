import assert from "node:assert/strict";
import { test } from "node:test";
import { itemsOf, stepNamed } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { fanOutWorkflows, runFanOutExample, SUPPLIERS } from "./workflow.js";

test("Promise.all over step.do runs the quote steps side by side, then the fan-in step combines them", async () => {
	const [run] = await withTempEngine(fanOutWorkflows, runFanOutExample);
	assert.ok(run);
	assert.equal(run.status.status, "complete");
	assert.deepEqual(run.status.output, {
		sku: "WIDGET-42",
		quotes: [
			{ supplier: "acme", price: 12.5 },
			{ supplier: "globex", price: 11.9 },
			{ supplier: "initech", price: 13.2 },
			{ supplier: "umbrella", price: 12.1 },
		],
		cheapest: { supplier: "globex", price: 11.9 },
	});

	const quotes = SUPPLIERS.map((s) => stepNamed(run.details, `quote from ${s}`));
	for (const q of quotes) assert.deepEqual([q.success, q.attempts.length], [true, 1], `${q.name} succeeded at once`);
	const starts = quotes.map((q) => Date.parse(q.start));
	const ends = quotes.map((q) => Date.parse(q.end ?? ""));
	// Each quote takes 100 ms; run one after another, a quote would start only after the previous one ended.
	assert.ok(Math.max(...starts) < Math.min(...ends), "every quote started before the first one finished");

	const fanIn = stepNamed(run.details, "choose cheapest");
	assert.ok(Date.parse(fanIn.start) >= Math.max(...ends), "the fan-in step waited for every quote");
	assert.equal(itemsOf(run.details, "step").at(-1)?.name, "choose cheapest");
});
