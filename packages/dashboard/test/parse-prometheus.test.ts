import assert from "node:assert/strict";
import { test } from "node:test";
import { appendScrape, quantile, seriesOf } from "../src/metric-history.js";
import { byLabel, histogramBuckets, maxOf, parsePrometheus, sumOf } from "../src/parse-prometheus.js";

const TEXT = `# HELP weft_instances_completed_total Instances that completed.
# TYPE weft_instances_completed_total counter
weft_instances_completed_total{workflow="orders"} 10
weft_instances_completed_total{workflow="greet"} 5 1767000000000
# TYPE weft_queue_oldest_age_seconds gauge
weft_queue_oldest_age_seconds{workflow="orders"} 2.5
weft_queue_oldest_age_seconds{workflow="greet"} 7
weft_odd{msg="a \\"quoted\\", comma\\nand newline",x="y"} +Inf
weft_bad{unterminated="x} 1
# TYPE weft_step_duration_seconds histogram
weft_step_duration_seconds_bucket{workflow="orders",step="charge",le="0.1"} 4
weft_step_duration_seconds_bucket{workflow="orders",step="charge",le="1"} 9
weft_step_duration_seconds_bucket{workflow="orders",step="charge",le="+Inf"} 10
weft_step_duration_seconds_sum{workflow="orders",step="charge"} 4.2
weft_step_duration_seconds_count{workflow="orders",step="charge"} 10
`;

test("parses samples, labels with escapes, timestamps and types; skips malformed lines", () => {
	const m = parsePrometheus(TEXT);
	assert.equal(m.types.get("weft_step_duration_seconds"), "histogram");
	assert.equal(sumOf(m, "weft_instances_completed_total"), 15);
	assert.equal(sumOf(m, "weft_instances_completed_total", { workflow: "greet" }), 5);
	assert.equal(sumOf(m, "weft_missing"), null);
	assert.deepEqual(
		[...byLabel(m, "weft_queue_oldest_age_seconds", "workflow")],
		[
			["orders", 2.5],
			["greet", 7],
		],
	);
	assert.equal(maxOf(m, "weft_queue_oldest_age_seconds"), 7);
	const odd = m.samples.find((s) => s.name === "weft_odd");
	assert.deepEqual(odd?.labels, { msg: 'a "quoted", comma\nand newline', x: "y" });
	assert.equal(odd?.value, Number.POSITIVE_INFINITY);
	assert.equal(
		m.samples.some((s) => s.name === "weft_bad"),
		false,
	);
	assert.deepEqual(
		[...histogramBuckets(m, "weft_step_duration_seconds")],
		[
			[0.1, 4],
			[1, 9],
			[Number.POSITIVE_INFINITY, 10],
		],
	);
});

test("quantiles come from the observations between two scrapes", () => {
	const before = new Map([
		[0.1, 4],
		[1, 9],
		[Number.POSITIVE_INFINITY, 10],
	]);
	const after = new Map([
		[0.1, 4],
		[1, 19],
		[Number.POSITIVE_INFINITY, 20],
	]);
	// 10 new observations, all but one in (0.1, 1]: the median lies in that bucket.
	const median = quantile(before, after, 0.5);
	assert.ok(median !== null && median > 0.1 && median < 1, String(median));
	assert.equal(quantile(after, after, 0.5), null, "no new observations");
});

test("rates between scrapes, from /metrics or, without it, from instance counts; a counter reset is not negative", () => {
	const scrape = (t: number, completed: number) => ({
		t,
		metrics: parsePrometheus(`weft_instances_completed_total{workflow="a"} ${completed}\nweft_queue_depth{workflow="a"} 3\n`),
		counts: {},
	});
	let h = appendScrape([], scrape(0, 10));
	h = appendScrape(h, scrape(2, 30));
	h = appendScrape(h, scrape(4, 4));
	const s = seriesOf(h);
	assert.deepEqual(s.t, [2, 4]);
	assert.deepEqual(s.completed, [10, 2]);
	assert.deepEqual(s.queueDepth, [3, 3]);
	const fallback = seriesOf([
		{ t: 0, metrics: null, counts: { complete: 1, queued: 5 } },
		{ t: 5, metrics: null, counts: { complete: 11, queued: 2 } },
	]);
	assert.deepEqual(fallback.completed, [2]);
	assert.deepEqual(fallback.created, [7 / 5], "6 instances, then 13");
	assert.deepEqual(fallback.latencyMean, [null]);
	assert.equal(appendScrape(h, scrape(6, 5), 2).length, 2, "the history is bounded");
});
