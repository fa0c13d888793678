// Encryption at rest in a project: keys from weft.config or the environment, refused at load when
// malformed, and a real server whose API answers in plaintext while its SQLite files hold none.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { WeftClient } from "@weft/client";
import { ConfigError } from "./config-error.js";
import { resolveEncryption } from "./encryption-config.js";
import { runMarkedWorkload } from "./encryption-fixture.js";
import { loadConfig } from "./load-config.js";
import { makeProject } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";

const MARKER = "weft-http-marker-93c2";
const K1 = randomBytes(32).toString("base64");
const K2 = randomBytes(32).toString("base64");

const WORKFLOWS_TS = `
import { NonRetryableError, WorkflowEntrypoint } from "weft";

export class Secretive extends WorkflowEntrypoint {
	async run(event, step) {
		const echoed = await step.do("echo", async () => event.payload.note + " (step)");
		const reply = await step.waitForEvent("await reply", { type: "reply", timeout: "1 hour" });
		return { echoed, reply: reply.payload.note, output: "${MARKER} (output)" };
	}
}
export class Failing extends WorkflowEntrypoint {
	async run(event, step) {
		await step.do("doomed", async () => {
			throw new NonRetryableError("${MARKER} (error)");
		});
	}
}
`;

function project(encryption: unknown) {
	return makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({
			main: "./workflows.js",
			database: "data/weft.db",
			encryption,
			workflows: [
				{ name: "secretive", binding: "SECRETIVE", class_name: "Secretive" },
				{ name: "failing", binding: "FAILING", class_name: "Failing" },
			],
		}),
		"workflows.js": WORKFLOWS_TS,
	});
}

describe("encryption in a served project", () => {
	test("the HTTP API answers in plaintext while the SQLite files hold none of it", async () => {
		const p = project({ keys: { k1: K1 }, current: "k1" });
		try {
			const served = await serveProject({ cwd: p.dir, port: 0 });
			try {
				const client = new WeftClient({ url: served.url });
				const { done, errored } = await runMarkedWorkload(client, MARKER);
				assert.deepEqual(done.output, { echoed: `${MARKER} (params) (step)`, reply: `${MARKER} (event)`, output: `${MARKER} (output)` });
				assert.deepEqual(errored.error, { name: "NonRetryableError", message: `${MARKER} (error)` });
				// The instance page (timeline) and the history export, as the dashboard and `weft` read them.
				for (const path of ["/api/workflows/failing/instances/f-1", "/api/workflows/secretive/instances/s-1/history"]) {
					const res = await fetch(served.url + path);
					assert.equal(res.status, 200, path);
					assert.ok((await res.text()).includes(MARKER), path);
				}
				const dataDir = join(p.dir, "data");
				const files = readdirSync(dataDir);
				assert.ok(files.includes("weft.db-wal"));
				for (const file of files) assert.equal(readFileSync(join(dataDir, file)).indexOf(MARKER), -1, file);
			} finally {
				await served.close();
			}
		} finally {
			p.cleanup();
		}
	});

	test("a key that is not 32 bytes of base64 is refused at load with config.invalid naming its id", async () => {
		const p = project({ keys: { k1: K1, "old-key": randomBytes(16).toString("base64") }, current: "k1" });
		try {
			await assert.rejects(
				loadConfig({ cwd: p.dir, env: {} }),
				(e) => e instanceof ConfigError && e.code === "config.invalid" && e.message.includes('"old-key"') && e.message.includes("32 bytes"),
			);
		} finally {
			p.cleanup();
		}
	});

	test("an unknown key in the encryption block is config.invalid", async () => {
		const p = project({ keys: { k1: K1 }, current: "k1", algorithm: "aes" });
		try {
			await assert.rejects(
				loadConfig({ cwd: p.dir, env: {} }),
				(e) => e instanceof ConfigError && e.code === "config.invalid" && e.message.includes("algorithm"),
			);
		} finally {
			p.cleanup();
		}
	});
});

describe("resolveEncryption", () => {
	test("WEFT_ENCRYPTION_KEYS and WEFT_ENCRYPTION_KEY_ID replace the config's keys and current", () => {
		const keyring = resolveEncryption(
			{ keys: { k1: K1 }, current: "k1" },
			{ WEFT_ENCRYPTION_KEYS: `k1:${K1}, k2:${K2}`, WEFT_ENCRYPTION_KEY_ID: "k2" },
			"weft.config.ts",
		);
		assert.deepEqual([keyring?.ids, keyring?.current], [["k1", "k2"], "k2"]);
	});

	test("a single key needs no current; none at all means no encryption", () => {
		assert.equal(resolveEncryption(undefined, { WEFT_ENCRYPTION_KEYS: `only:${K1}` }, "f")?.current, "only");
		assert.equal(resolveEncryption(undefined, {}, "f"), null);
	});

	test("bad environment values are config.invalid, naming the variable and never the key", () => {
		const invalid = (message: string) => (e: unknown) => e instanceof ConfigError && e.code === "config.invalid" && e.message.includes(message);
		assert.throws(() => resolveEncryption(undefined, { WEFT_ENCRYPTION_KEYS: "no-colon" }, "f"), invalid("WEFT_ENCRYPTION_KEYS"));
		assert.throws(
			() => resolveEncryption(undefined, { WEFT_ENCRYPTION_KEYS: "k1:c2hvcnQ=" }, "f"),
			(e) => invalid('"k1"')(e) && !(e as Error).message.includes("c2hvcnQ="),
		);
		assert.throws(() => resolveEncryption(undefined, { WEFT_ENCRYPTION_KEYS: `k1:${K1},k2:${K2}` }, "f"), invalid("no current"));
		assert.throws(() => resolveEncryption(undefined, { WEFT_ENCRYPTION_KEYS: `k1:${K1}`, WEFT_ENCRYPTION_KEY_ID: "k3" }, "f"), invalid('"k3"'));
		assert.throws(() => resolveEncryption({ keys: {} }, {}, "f"), invalid("no keys"));
	});
});
