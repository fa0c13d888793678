import assert from "node:assert/strict";
import { test } from "node:test";
import { toJsonValue, v8Serializer } from "./serializer.js";

const roundTrip = (v: unknown) => v8Serializer.decode(v8Serializer.encode(v));

test("plain JSON values and structured-clone values both round-trip exactly", () => {
	const values: unknown[] = [
		1,
		"text",
		null,
		true,
		{ a: [1, { b: "c" }], __proto__x: 1 },
		[],
		undefined,
		-0,
		Number.NaN,
		Number.POSITIVE_INFINITY,
		10n,
		new Date(5),
		new Map([["k", new Set([1])]]),
		new Uint8Array([1, 2, 3]),
		{ nested: { undef: undefined } },
		// biome-ignore lint/suspicious/noSparseArray: a hole must survive
		[1, , 3],
		"\ud800 lone surrogate",
	];
	for (const v of values) assert.deepStrictEqual(roundTrip(v), v, `round trip of ${String(v)}`);
	assert.ok(Object.is(roundTrip(-0), -0));
	assert.ok(Object.hasOwn(roundTrip({ nested: { undef: undefined } }) as { nested: object }, "nested"));
	assert.ok(Object.hasOwn((roundTrip({ nested: { undef: undefined } }) as { nested: object }).nested, "undef"));
});

test("values that cannot be cloned are refused", () => {
	assert.throws(() => v8Serializer.encode({ f: () => 1 }), /could not be cloned/);
	assert.throws(() => v8Serializer.encode(Symbol("s")));
	assert.throws(() => v8Serializer.decode(new Uint8Array([1, 2])), /not written by Weft/);
});

test("status output is JSON-ified the way Cloudflare shows it", () => {
	assert.deepEqual(toJsonValue({ d: new Date(0), m: new Map([[1, 2]]), s: new Set([1]), b: new Uint8Array(3), u: undefined, n: 1n }), {
		d: "1970-01-01T00:00:00.000Z",
		m: {},
		s: {},
		b: "[Uint8Array(3 bytes)]",
		n: "1",
	});
	assert.equal(toJsonValue(undefined), null);
});
