// Encryption at rest on a real SQLite file: nothing a workflow handles reaches the database
// files in plaintext, the engine still reads it all back, keys rotate, and a wrong key is a typed
// error with a stable code.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { EncryptionError, type Engine, type InstanceKey, NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { createEngine } from "./create-engine.js";
import { waitForStatus, waitTerminal } from "./engine-harness.js";
import { SqliteStore } from "./index.js";

/** Appears in params, a step result, an event payload, the output and an error; must never be on disk. */
const MARKER = "weft-plaintext-marker-6b1f";
const K1 = randomBytes(32).toString("base64");
const K2 = randomBytes(32).toString("base64");

class Secretive extends WorkflowEntrypoint<unknown, { note: string }> {
	async run(event: WorkflowEvent<{ note: string }>, step: WorkflowStep) {
		const echoed = await step.do("echo", async () => ({ echoed: `${event.payload.note} (step)` }));
		const reply = await step.waitForEvent<{ note: string }>("await reply", { type: "reply", timeout: "1 hour" });
		return { echoed, reply: reply.payload.note, output: `${MARKER} (output)` };
	}
}

class Failing extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent, step: WorkflowStep) {
		await step.do("doomed", async () => {
			throw new NonRetryableError(`${MARKER} (error)`);
		});
	}
}

const WORKFLOWS = { SECRETIVE: { name: "secretive", class: Secretive }, FAILING: { name: "failing", class: Failing } };

let dir: string;
let database: string;

function open(keys: Record<string, string>, current: string): Promise<Engine> {
	return createEngine({
		database,
		workflows: WORKFLOWS,
		encryption: { keys, current },
		onError: (e, context) => {
			throw new Error(`unexpected engine error (${context}): ${e}`);
		},
	});
}

/** Every file SQLite keeps for the database (the main file, -wal, -shm, any journal). */
function databaseBytes(): Buffer {
	return Buffer.concat(
		readdirSync(dir)
			.filter((f) => f.startsWith("test.db"))
			.map((f) => readFileSync(join(dir, f))),
	);
}

/** The id of the key a stored value was sealed with (docs/encryption.md: magic, version, id length, id). */
async function keyIdOfParams(key: InstanceKey): Promise<string> {
	const store = new SqliteStore({ path: database, readonly: true });
	try {
		const params = (await store.getInstance(key))?.params as Uint8Array;
		return Buffer.from(params.subarray(3, 3 + (params[2] as number))).toString("utf8");
	} finally {
		await store.close();
	}
}

const secret = { workflow: "secretive", id: "s-1" };
const failing = { workflow: "failing", id: "f-1" };

before(async () => {
	dir = mkdtempSync(join(tmpdir(), "weft-encryption-test-"));
	database = join(dir, "test.db");
	const engine = await open({ k1: K1 }, "k1");
	try {
		const s = await engine.bindings.SECRETIVE!.create({ id: secret.id, params: { note: `${MARKER} (params)` } });
		await waitForStatus(s, "waiting");
		await s.sendEvent({ type: "reply", payload: { note: `${MARKER} (event)` } });
		assert.equal((await waitTerminal(s)).status, "complete");
		const f = await engine.bindings.FAILING!.create({ id: failing.id });
		assert.equal((await waitTerminal(f)).status, "errored");
		// Read while the engine still has the file open, so the WAL holds the recent writes.
		assert.ok(existsSync(`${database}-wal`));
		assert.equal(databaseBytes().indexOf(MARKER), -1, "the marker is in the database files");
	} finally {
		await engine.close({ graceMs: 0 });
	}
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("encryption at rest", () => {
	test("no params, step result, event payload, output or error reaches the files in plaintext", () => {
		assert.ok(databaseBytes().length > 0);
		assert.equal(databaseBytes().indexOf(MARKER), -1);
	});

	test("control: the same run without encryption leaves the marker in the files", async () => {
		// Otherwise the search above could pass by looking in the wrong place.
		const plainDir = mkdtempSync(join(tmpdir(), "weft-plaintext-test-"));
		const engine = await createEngine({ database: join(plainDir, "test.db"), workflows: WORKFLOWS });
		try {
			const s = await engine.bindings.SECRETIVE!.create({ params: { note: `${MARKER} (params)` } });
			await waitForStatus(s, "waiting");
			assert.equal((await waitTerminal(await engine.bindings.FAILING!.create())).status, "errored");
			const bytes = Buffer.concat(readdirSync(plainDir).map((f) => readFileSync(join(plainDir, f))));
			assert.notEqual(bytes.indexOf(MARKER), -1);
		} finally {
			await engine.close({ graceMs: 0 });
			rmSync(plainDir, { recursive: true, force: true });
		}
	});

	test("the error column holds a sealed record, not the error", async () => {
		const store = new SqliteStore({ path: database, readonly: true });
		try {
			const raw = await store.getInstance(failing);
			assert.equal(raw?.error?.name, "EncryptedError");
			assert.equal(JSON.stringify(raw?.error).includes(MARKER), false);
		} finally {
			await store.close();
		}
	});

	test("status(), details() and the history export read it all back with the key", async () => {
		const engine = await open({ k1: K1 }, "k1");
		try {
			const status = await engine.status(secret);
			assert.deepEqual(status.output, { echoed: { echoed: `${MARKER} (params) (step)` }, reply: `${MARKER} (event)`, output: `${MARKER} (output)` });
			const errored = await engine.status(failing);
			assert.deepEqual(errored.error, { name: "NonRetryableError", message: `${MARKER} (error)` });
			const details = JSON.stringify(await engine.details(failing));
			assert.ok(details.includes(`${MARKER} (error)`));
			const history = await engine.exportHistory(secret);
			assert.deepEqual(history.instance.params, { note: `${MARKER} (params)` });
			const page = await engine.listInstances("failing");
			assert.equal(page.instances.length, 1);
		} finally {
			await engine.close({ graceMs: 0 });
		}
	});

	test("after rotating to k2, new values use k2 and values written under k1 still read", async () => {
		const engine = await open({ k1: K1, k2: K2 }, "k2");
		const fresh = { workflow: "failing", id: "f-2" };
		try {
			assert.equal((await waitTerminal(await engine.bindings.FAILING!.create({ id: fresh.id }))).status, "errored");
			assert.equal((await engine.status(failing)).error?.message, `${MARKER} (error)`);
			assert.equal((await engine.status(fresh)).error?.message, `${MARKER} (error)`);
			assert.equal(((await engine.status(secret)).output as { reply: string }).reply, `${MARKER} (event)`);
		} finally {
			await engine.close({ graceMs: 0 });
		}
		assert.equal(await keyIdOfParams(failing), "k1");
		assert.equal(await keyIdOfParams(fresh), "k2");
		assert.equal(databaseBytes().indexOf(MARKER), -1);
	});

	test("without the key a value was written under, reads fail with encryption.unknown_key", async () => {
		const engine = await open({ k2: K2 }, "k2");
		try {
			await assert.rejects(engine.status(secret), (e) => e instanceof EncryptionError && e.code === "encryption.unknown_key" && e.message.includes('"k1"'));
			await assert.rejects(engine.details(failing), (e) => e instanceof EncryptionError && e.code === "encryption.unknown_key");
		} finally {
			await engine.close({ graceMs: 0 });
		}
	});

	test("another key under the same id fails with encryption.bad_key, never garbage", async () => {
		const engine = await open({ k1: K2 }, "k1");
		try {
			await assert.rejects(engine.status(secret), (e) => e instanceof EncryptionError && e.code === "encryption.bad_key");
			await assert.rejects(engine.exportHistory(secret), (e) => e instanceof EncryptionError && e.code === "encryption.bad_key");
		} finally {
			await engine.close({ graceMs: 0 });
		}
	});

	test("a malformed key is refused before the database is opened", async () => {
		const other = join(dir, "never.db");
		await assert.rejects(
			createEngine({ database: other, workflows: WORKFLOWS, encryption: { keys: { k9: "c2hvcnQ=" }, current: "k9" } }),
			(e) => e instanceof EncryptionError && e.code === "encryption.invalid_key" && e.message.includes('"k9"'),
		);
		assert.equal(existsSync(other), false);
	});
});
