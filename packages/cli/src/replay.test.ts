// Replay tools from the command line, against a real server serving the hello-project fixture:
// export a history, replay files and a store's instances against the project's code (and against
// changed code, which must fail the run), replay one instance step by step, and fork one.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { WeftClient } from "@weft/client";
import { type ServingProject, serveProject } from "@weft/server";
import { HELLO_PROJECT, killAll, runCli } from "./cli-harness.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

let dir: string;
let database: string;
let project: ServingProject;
let client: WeftClient;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), "weft-replay-cli-"));
	database = join(dir, "replay.db");
	project = await serveProject({ cwd: HELLO_PROJECT, port: 0, database });
	client = new WeftClient({ url: project.url });
	await client.workflow("hello").create({ id: "ada", params: { name: "Ada" } });
	await client.workflow("approval").create({ id: "pending", params: { order: "o-1" } });
	await settled("hello", "ada", ["complete"]);
	await settled("approval", "pending", ["waiting"]);
});
after(async () => {
	await killAll();
	await project?.close();
	rmSync(dir, { recursive: true, force: true });
});

async function settled(workflow: string, id: string, statuses: string[]): Promise<void> {
	for (let i = 0; i < 400; i++) {
		if (statuses.includes((await (await client.workflow(workflow).get(id)).status()).status)) return;
		await new Promise((r) => setTimeout(r, 25));
	}
	assert.fail(`${workflow}/${id} never reached ${statuses.join(" or ")}`);
}

const weft = (args: string[], cwd = HELLO_PROJECT) => runCli([...args, "--url", project.url], { cwd });

/** A copy of the hello project whose code renames a step: histories recorded before must no longer replay. */
function changedProject(): string {
	const copy = join(dir, "changed-project");
	cpSync(HELLO_PROJECT, copy, { recursive: true });
	symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
	const file = join(copy, "workflows.ts");
	writeFileSync(file, readFileSync(file, "utf8").replace('"flaky shout"', '"loud shout"'));
	return copy;
}

describe("weft replay and friends", () => {
	test("export writes a versioned history; replaying it against the same code matches, against renamed steps fails", async () => {
		const file = join(dir, "histories", "ada.json");
		const exported = await weft(["instances", "export", "hello", "ada", "-o", file]);
		assert.equal(exported.code, 0, exported.stderr);
		const history = JSON.parse(readFileSync(file, "utf8"));
		assert.equal(history.format, "weft.history");
		assert.equal(history.instanceId, "ada");
		assert.match(history.instance.codeVersion, /^[0-9a-f]{12}$/);

		const same = await weft(["replay", join(dir, "histories")]);
		assert.equal(same.code, 0, same.stdout + same.stderr);
		assert.match(same.stdout, /1 history replayed in [\d.]+ s: 1 matched, 0 still running \(matched so far\), 0 diverged, 0 could not be replayed/);

		const changed = await weft(["replay", file], changedProject());
		assert.equal(changed.code, 1, "a divergence fails the run");
		assert.match(changed.stdout, /✗ hello\/ada diverged/);
		assert.match(changed.stdout, /the code asked for do "loud shout" #1 \(at .*workflows\.ts:\d+:\d+\); the history holds do "flaky shout" #1 there/);
	});

	test("replay --database reads a store's instances read-only, with filters; a waiting one matches so far", async () => {
		const all = await weft(["replay", "--database", database, "--workflow", "hello", "--json"]);
		assert.equal(all.code, 0, all.stderr);
		const results = all.stdout
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l));
		assert.ok(results.some((r) => r.instanceId === "ada" && r.result.status === "complete" && r.result.divergence === null));

		const waiting = await weft(["replay", "--database", database, "--workflow", "approval", "--status", "waiting"]);
		assert.equal(waiting.code, 0, waiting.stderr);
		assert.match(waiting.stdout, /… approval\/pending matches so far/);

		const sample = await weft(["replay", "--database", database, "--workflow", "hello", "--sample", "1", "--json"]);
		assert.equal(sample.code, 0, sample.stderr);
		assert.equal(sample.stdout.trim().split("\n").length, 1);
	});

	test("instances replay prints each served step with its recorded attempts and values", async () => {
		const r = await weft(["instances", "replay", "hello", "ada", "--verbose"]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /▸ do "greet" #1 — ok after 1 attempt /);
		assert.match(r.stdout, /value: "Hello, Ada!"/);
		assert.match(r.stdout, /▸ sleep "short nap" #1 — slept until /);
		assert.match(r.stdout, /▸ do "flaky shout" #1 — ok after 2 attempts /);
		assert.match(r.stdout, /✓ hello\/ada complete, as recorded \(3 steps served\)/);
	});

	test("fork starts a new instance from the journal before a step, with new params; the original is untouched", async () => {
		const r = await weft(["instances", "fork", "hello", "ada", "--from-step", "flaky shout", "--params", '{"name":"Bo"}', "--id", "ada-fork"]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /instance "ada-fork" of "hello" forked from "ada" before step "flaky shout"/);
		await settled("hello", "ada-fork", ["complete"]);
		const fork = await (await client.workflow("hello").get("ada-fork")).details();
		// The greeting comes from the copied journal, so the new name does not reach it.
		assert.deepEqual(fork.output, { greeting: "Hello, Ada!", shout: "HELLO, ADA!" });
		assert.deepEqual(fork.params, { name: "Bo" });
		const original = await (await client.workflow("hello").get("ada")).details();
		assert.equal(original.generation, 0);
		assert.deepEqual(original.params, { name: "Ada" });
	});

	test("bad input: missing files, malformed histories, unknown workflows and steps get clear errors and exit 1", async () => {
		const missing = await weft(["replay", join(dir, "nope.json")]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /nope\.json does not exist/);

		const bad = join(dir, "bad.json");
		writeFileSync(bad, JSON.stringify({ format: "weft.history", version: 99 }));
		const future = await weft(["replay", bad]);
		assert.equal(future.code, 1);
		assert.match(future.stdout, /history\.unsupported_version: this history is version 99/);

		const unknown = await weft(["replay", "--database", database, "--workflow", "nope"]);
		assert.equal(unknown.code, 1);
		assert.match(unknown.stderr, /workflow "nope", which .* does not define/);

		const noStep = await weft(["instances", "fork", "hello", "ada", "--from-step", "nope"]);
		assert.equal(noStep.code, 1);
		assert.match(noStep.stderr, /Step "nope" not found in execution history/);

		const both = await weft(["replay", bad, "--database", database, "--workflow", "hello"]);
		assert.equal(both.code, 1);
		assert.match(both.stderr, /give history files or --database, not both/);
	});
});
