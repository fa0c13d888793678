// `weft instances delete` and `weft instances purge` against a real server serving the
// hello-project fixture (over the HTTP API's DELETE, batch delete and purge routes).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { WeftClient } from "@weft/client";
import { type ServingProject, serveProject } from "@weft/server";
import { HELLO_PROJECT, killAll, runCli } from "./cli-harness.js";

let dir: string;
let project: ServingProject;
let client: WeftClient;
before(async () => {
	dir = mkdtempSync(join(tmpdir(), "weft-delete-cli-"));
	project = await serveProject({ cwd: HELLO_PROJECT, port: 0, database: join(dir, "d.db") });
	client = new WeftClient({ url: project.url });
});
after(async () => {
	await killAll();
	await project?.close();
	rmSync(dir, { recursive: true, force: true });
});

const weft = (...args: string[]) => runCli([...args, "--url", project.url], { cwd: HELLO_PROJECT });

async function statusOf(id: string): Promise<string> {
	return (await (await client.workflow("approval").get(id)).status()).status;
}

test("delete removes instances whatever their state and reports unknown ids; purge removes the finished ones", async () => {
	for (const id of ["w1", "w2", "w3"]) await client.workflow("approval").create({ id, params: { order: id } });
	for (let i = 0; i < 200 && (await statusOf("w3")) !== "waiting"; i++) await new Promise((r) => setTimeout(r, 25));
	const d = await weft("instances", "delete", "approval", "w1", "nope");
	assert.equal(d.code, 1, "an unknown id fails the command");
	assert.match(d.stdout, /instance "w1" of "approval" deleted/);
	assert.match(d.stdout, /✘ nope: workflows\.api\.error\.instance\.not_found/);
	await assert.rejects(
		client
			.workflow("approval")
			.get("w1")
			.then((i) => i.status()),
		/not_found|not found/i,
	);

	// w2 finishes; w3 still waits: purge takes only the finished one.
	await (await client.workflow("approval").get("w2")).sendEvent({ type: "approval", payload: { by: "ada" } });
	for (let i = 0; i < 200 && (await statusOf("w2")) !== "complete"; i++) await new Promise((r) => setTimeout(r, 25));
	const p = await weft("instances", "purge", "approval", "--json");
	assert.equal(p.code, 0, p.stderr);
	assert.deepEqual(JSON.parse(p.stdout), { deleted: 1 });
	assert.equal(await statusOf("w3"), "waiting");

	const bad = await weft("instances", "purge", "approval", "--status", "waiting");
	assert.equal(bad.code, 1);
	assert.match(bad.stderr, /--status takes complete, errored or terminated/);
});
