import assert from "node:assert/strict";
import { test } from "node:test";
import { CreationRateLimiter } from "./creation-rate-limiter.js";

const limited = (f: () => void) => {
	try {
		f();
		return null;
	} catch (e) {
		return e as { code: string; headers: Record<string, string> };
	}
};

test("a bucket allows its burst, then refills at the rate, per workflow", () => {
	let now = 0;
	const limiter = new CreationRateLimiter({ perSecond: 2, burst: 3 }, () => now);
	for (let i = 0; i < 3; i++)
		assert.equal(
			limited(() => limiter.take("a")),
			null,
		);
	const e = limited(() => limiter.take("a"));
	assert.equal(e?.code, "rate_limit.exceeded");
	assert.equal(e?.headers["retry-after"], "1");
	assert.equal(
		limited(() => limiter.take("b")),
		null,
		"another workflow has its own bucket",
	);
	now = 500; // half a second: one token back
	assert.equal(
		limited(() => limiter.take("a")),
		null,
	);
	assert.notEqual(
		limited(() => limiter.take("a")),
		null,
	);
	now = 10_000; // refills to the burst, no further
	assert.equal(
		limited(() => limiter.take("a", 3)),
		null,
	);
	assert.notEqual(
		limited(() => limiter.take("a")),
		null,
	);
});

test("a batch counts each item, and a batch over the burst passes on a full bucket", () => {
	let now = 0;
	const limiter = new CreationRateLimiter({ perSecond: 10, burst: 5 }, () => now);
	assert.equal(
		limited(() => limiter.take("a", 50)),
		null,
	);
	const e = limited(() => limiter.take("a", 2));
	assert.equal(e?.headers["retry-after"], "1");
	now = 400;
	assert.equal(
		limited(() => limiter.take("a", 4)),
		null,
	);
});
