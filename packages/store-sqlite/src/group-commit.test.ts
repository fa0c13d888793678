import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";

function scratch() {
	const db = new Database(":memory:");
	db.pragma("foreign_keys = ON");
	db.exec(
		"CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
	);
	return db;
}

test("writes of one turn share a transaction; one that throws fails alone", async () => {
	const db = scratch();
	const gc = new GroupCommit(db);
	const insert = db.prepare("INSERT INTO parent (id) VALUES (?)");
	const results = await Promise.allSettled([
		gc.enqueue(() => insert.run(1).changes),
		gc.enqueue(() => insert.run(1).changes),
		gc.enqueue(() => insert.run(2).changes),
	]);
	assert.deepEqual(
		results.map((r) => r.status),
		["fulfilled", "rejected", "fulfilled"],
	);
	assert.equal(gc.batches, 1);
	assert.deepEqual(db.prepare("SELECT id FROM parent ORDER BY id").pluck().all(), [1, 2]);
});

test("a failed commit fails every write in it and poisons their leases", async () => {
	const db = scratch();
	const gc = new GroupCommit(db);
	const ok = db.prepare("INSERT INTO parent (id) VALUES (?)");
	// A deferred foreign key is checked at COMMIT, so this batch's COMMIT fails.
	const bad = db.prepare("INSERT INTO child (id, p) VALUES (?, 999)");
	const results = await Promise.allSettled([gc.enqueue(() => ok.run(1), "lease-a"), gc.enqueue(() => bad.run(1), "lease-b"), gc.enqueue(() => ok.run(2))]);
	assert.ok(results.every((r) => r.status === "rejected"));
	assert.deepEqual(db.prepare("SELECT count(*) FROM parent").pluck().get(), 0, "nothing of the failed batch was kept");
	assert.equal(gc.isPoisoned("lease-a"), true);
	assert.equal(gc.isPoisoned("lease-b"), true);
	assert.equal(gc.isPoisoned("lease-c"), false);
	await gc.enqueue(() => ok.run(3));
	assert.deepEqual(db.prepare("SELECT id FROM parent").pluck().all(), [3], "the next batch commits normally");
});
