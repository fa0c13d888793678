import assert from "node:assert/strict";
import { test } from "node:test";
import { uuidv7 } from "./instance-id.js";

test("generated ids are version-7 UUIDs that sort by creation time and do not repeat", () => {
	const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(1_700_000_000_000 + Math.floor(i / 10)));
	for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	assert.equal(new Set(ids).size, ids.length);
	assert.equal(ids[0]?.slice(0, 13), "018bcfe5-6800");
	const firstOfEachMs = ids.filter((_, i) => i % 10 === 0);
	assert.deepEqual([...firstOfEachMs].sort(), firstOfEachMs, "ids of later milliseconds sort after earlier ones");
});
