// The `weft` binary, spawned as a user runs it, against a real server serving the hello-project
// fixture: triggering, describing (wrangler's layout), listing with a cursor, controlling,
// events, tail, batch trigger from a file, and its errors, auth included.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WeftClient } from "@weft/client";
import { type ServingProject, serveProject } from "@weft/server";
import type { Command } from "commander";
import { HELLO_PROJECT, killAll, runCli, startCli, waitForOutput } from "./cli-harness.js";
import { buildProgram } from "./program.js";

let dir: string;
let project: ServingProject;
let secured: ServingProject;
let lister: ServingProject;
let bulk: ServingProject;
let client: WeftClient;
let url: string;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), "weft-cli-test-"));
	project = await serveProject({ cwd: HELLO_PROJECT, port: 0, database: join(dir, "cli.db") });
	secured = await serveProject({ cwd: HELLO_PROJECT, port: 0, database: join(dir, "secured.db"), token: "t0ken" });
	// Listing order is asserted exactly, so it gets a server no other test creates instances on.
	lister = await serveProject({ cwd: HELLO_PROJECT, port: 0, database: join(dir, "lister.db") });
	// Bulk commands act on every instance in a status, so they get a server of their own too.
	bulk = await serveProject({ cwd: HELLO_PROJECT, port: 0, database: join(dir, "bulk.db") });
	url = project.url;
	client = new WeftClient({ url });
});
after(async () => {
	await killAll();
	await project?.close();
	await secured?.close();
	await lister?.close();
	await bulk?.close();
	rmSync(dir, { recursive: true, force: true });
});

const weft = (...args: string[]) => runCli([...args, "--url", url]);

async function finished(workflow: string, id: string): Promise<void> {
	for (let i = 0; i < 400; i++) {
		const { status } = await (await client.workflow(workflow).get(id)).status();
		if (status === "complete" || status === "errored" || status === "terminated") return;
		await new Promise((r) => setTimeout(r, 25));
	}
	assert.fail(`${workflow}/${id} did not finish`);
}

// The tests below touch disjoint instances (listing has a server of its own), so they run
// concurrently: most of their time is spent waiting on spawned processes.
describe("weft against a running server", { concurrency: true }, () => {
	test("trigger, then describe a finished instance: header, steps and the attempts table", async () => {
		const trigger = await weft("workflows", "trigger", "hello", '{"name":"Ada"}', "--id", "ada");
		assert.equal(trigger.code, 0, trigger.stderr);
		assert.equal(trigger.stdout.trim(), '🚀 Workflow instance "ada" has been queued successfully');
		await finished("hello", "ada");

		const d = await weft("instances", "describe", "hello", "ada");
		assert.equal(d.code, 0, d.stderr);
		const out = d.stdout;
		assert.match(out, /^Workflow Name: +hello$/m);
		assert.match(out, /^Instance Id: +ada$/m);
		assert.match(out, /^Status: +✅ Completed$/m);
		assert.match(out, /^Last Successful Step: +flaky shout-1$/m);
		assert.match(out, /^Output: +\{"greeting":"Hello, Ada!","shout":"HELLO, ADA!"\}$/m);
		assert.match(out, /^Steps:$/m);
		// The steps in order, named as Cloudflare names them, with their types.
		const names = [...out.matchAll(/^ {2}Name: +(.+)$/gm)].map((m) => m[1]);
		assert.deepEqual(names, ["greet-1", "short nap-1", "flaky shout-1"]);
		assert.deepEqual(
			[...out.matchAll(/^ {2}Type: +(.+)$/gm)].map((m) => m[1]),
			["🎯 Step", "💤 Sleeping", "🎯 Step"],
		);
		// The flaky step's attempts table: a failed attempt with its error, then a success.
		const flaky = out.slice(out.indexOf("flaky shout-1"));
		assert.match(flaky, /│ Start +│ End +│ Duration +│ State +│ Error +│/);
		assert.match(flaky, /│ ❌ Error +│ Error: planned failure on attempt 1 │/);
		assert.match(flaky, /│ ✅ Success +│ +│/);

		const latest = await weft("instances", "describe", "hello", "latest");
		assert.match(latest.stdout, /^Describing latest instance:/);
		assert.match(latest.stdout, /^Instance Id: +ada$/m);

		const json = await weft("instances", "describe", "hello", "ada", "--json");
		const details = JSON.parse(json.stdout);
		assert.equal(details.status, "complete");
		assert.deepEqual(
			details.steps.map((s: { name: string; count: number }) => `${s.name}-${s.count}`),
			["greet-1", "short nap-1", "flaky shout-1"],
		);
	});

	test("workflows list and describe, as a table and as JSON", async () => {
		const list = await weft("workflows", "list", "--json");
		assert.deepEqual(
			JSON.parse(list.stdout).map((w: { name: string }) => w.name),
			["hello", "approval"],
		);
		const table = await weft("workflows", "list");
		assert.match(table.stdout, /│ approval +│ APPROVAL +│ ApprovalWorkflow +│/);
		const describe = await weft("workflows", "describe", "approval");
		assert.match(describe.stdout, /^Concurrency: +10 at once$/m);
		assert.match(describe.stdout, /^Retention: +success 7 days, error 30 days \(not enforced yet\)$/m);
	});

	test("events, control commands and a live tail", async () => {
		assert.equal((await weft("workflows", "trigger", "approval", '{"order":"o-1"}', "--id", "order-1")).code, 0);
		const tail = startCli(["instances", "tail", "approval", "order-1", "--url", url]);
		await waitForOutput(tail, /👀 await approval-1 waiting for an event of type "approval"/);

		const paused = await weft("instances", "pause", "approval", "order-1", "--json");
		assert.equal(JSON.parse(paused.stdout).status, "paused");
		const resumed = await weft("instances", "resume", "approval", "order-1");
		assert.match(resumed.stdout, /resumed: instance "order-1" of "approval"/);
		const sent = await weft("instances", "send-event", "approval", "order-1", "--type", "approval", "--payload", '{"by":"grace"}');
		assert.equal(sent.code, 0, sent.stderr);
		const done = await tail.exited;
		assert.equal(done.code, 0, done.stderr);
		assert.match(done.stdout, /📨 await approval-1 received "approval": \{"by":"grace"\}/);
		assert.match(done.stdout, /▶ resumed after/);
		assert.match(done.stdout, /✅ record approval-1 attempt 1 succeeded/);
		assert.match(done.stdout, /🏁 complete$/m);

		const restarted = await weft("instances", "restart", "approval", "order-1", "--from-step", "record approval", "--json");
		assert.equal(restarted.code, 0, restarted.stderr);
		await finished("approval", "order-1");
		assert.equal((await (await client.workflow("approval").get("order-1")).details()).generation, 1);

		await client.workflow("approval").create({ id: "order-2" });
		const terminated = await weft("instances", "terminate", "approval", "order-2");
		assert.match(terminated.stdout, /terminated: instance "order-2" of "approval" is now 🚫 Terminated/);
		const again = await weft("instances", "terminate", "approval", "order-2");
		assert.equal(again.code, 1);
		assert.match(again.stderr, /\[instance\.cannot_terminate\]/);
	});

	test("instances list pages with --cursor and filters by --status", async () => {
		const list = (...args: string[]) => runCli(["instances", "list", "approval", ...args, "--url", lister.url]);
		const approval = new WeftClient({ url: lister.url }).workflow("approval");
		for (const id of ["p-1", "p-2", "p-3"]) await approval.create({ id });
		const first = JSON.parse((await list("--limit", "2", "--json")).stdout);
		assert.deepEqual(
			first.instances.map((i: { id: string }) => i.id),
			["p-3", "p-2"],
		);
		assert.equal(typeof first.cursor, "string");
		const second = JSON.parse((await list("--limit", "2", "--cursor", first.cursor, "--json")).stdout);
		assert.deepEqual(second, { instances: [(await approval.list()).instances[2]], cursor: null });
		const table = await list("--limit", "2");
		assert.match(table.stdout, /│ p-3 +│ .+ │/);
		assert.match(table.stdout, new RegExp(`More: weft instances list approval --cursor ${first.cursor}`));
		await (await approval.get("p-2")).terminate();
		const terminated = JSON.parse((await list("--status", "terminated", "--json")).stdout);
		assert.deepEqual(
			terminated.instances.map((i: { id: string }) => i.id),
			["p-2"],
		);
	});

	test("batch trigger from a params file shows progress and a summary", async () => {
		const file = join(dir, "people.jsonl");
		writeFileSync(file, `${Array.from({ length: 150 }, (_, i) => JSON.stringify({ order: `bulk-${i}` })).join("\n")}\n\n`);
		const r = await runCli(["workflows", "trigger", "approval", "--params-file", file, "--url", secured.url, "--token", "t0ken"]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /✅ Created 150 of 150 instances of "approval"; 0 failed/);
		assert.match(r.stderr, /Creating approval instances \[.+\] 100\/150/);
		assert.match(r.stderr, /150\/150 \(100%\)/);

		writeFileSync(file, '{"ok":1}\n{broken\n');
		const bad = await weft("workflows", "trigger", "approval", "--params-file", file);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /people\.jsonl:2 is not valid JSON/);
	});

	test("errors print their code and exit 1; the server stays up", async () => {
		await client.workflow("approval").create({ id: "dup" });
		const cases: [string[], RegExp][] = [
			[["instances", "describe", "hello", "nobody"], /✘ \[instance\.not_found\]/],
			[["workflows", "trigger", "approval", "--id", "dup"], /✘ \[instance\.already_exists\]/],
			[["workflows", "trigger", "hello", "{bad"], /params is not valid JSON/],
			[["workflows", "trigger", "nope"], /✘ \[workflow\.not_found\]/],
			[["instances", "list", "hello", "--status", "sleepy"], /✘ \[list\.invalid_status\]/],
			[["instances", "send-event", "approval", "p-1"], /required option '--type <type>' not specified/],
			[["instances", "frobnicate"], /unknown command 'frobnicate'/],
		];
		const results = await Promise.all(cases.map(([args]) => weft(...args)));
		results.forEach((r, i) => {
			assert.equal(r.code, 1, `${cases[i]?.[0].join(" ")}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, cases[i]?.[1] as RegExp);
			assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace for a coded error");
		});
		const refused = await runCli(["workflows", "list", "--url", "http://127.0.0.1:9"]);
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /✘ \[connection\.failed\] could not reach http:\/\/127\.0\.0\.1:9/);
		assert.equal((await client.health()).status, "ok");
	});

	test("--token and WEFT_TOKEN reach a server that needs one; without it: 401", async () => {
		const none = await runCli(["workflows", "list", "--url", secured.url]);
		assert.equal(none.code, 1);
		assert.match(none.stderr, /\[auth\.missing_token\]/);
		const wrong = await runCli(["workflows", "list", "--url", secured.url, "--token", "nope"]);
		assert.match(wrong.stderr, /\[auth\.invalid_token\]/);
		const flag = await runCli(["workflows", "list", "--json", "--url", secured.url, "--token", "t0ken"]);
		assert.equal(flag.code, 0, flag.stderr);
		const env = await runCli(["workflows", "list", "--json"], { env: { WEFT_URL: secured.url, WEFT_TOKEN: "t0ken" } });
		assert.equal(env.code, 0, env.stderr);
		assert.deepEqual(JSON.parse(env.stdout), JSON.parse(flag.stdout));
	});

	test("terminate --status acts on every instance in that status, with a progress line and a summary", async () => {
		const bulkClient = new WeftClient({ url: bulk.url });
		const approval = bulkClient.workflow("approval");
		for (const id of ["b-1", "b-2", "b-3"]) await approval.create({ id });
		await approval.create({ id: "b-done" });
		await (await approval.get("b-done")).sendEvent({ type: "approval", payload: { by: "ada" } });
		for (;;) {
			const page = await approval.list({ status: "waiting" });
			const done = await (await approval.get("b-done")).status();
			if (page.instances.length === 3 && done.status === "complete") break;
			await new Promise((r) => setTimeout(r, 25));
		}
		const r = await runCli(["instances", "terminate", "approval", "--status", "waiting", "--url", bulk.url]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /terminated: 3 of 3 "approval" instance\(s\) that were waiting/);
		assert.match(r.stderr, /terminate \[█+\] 3\/3 \(100%\)/);
		for (const id of ["b-1", "b-2", "b-3"]) assert.equal((await (await approval.get(id)).status()).status, "terminated");
		assert.equal((await (await approval.get("b-done")).status()).status, "complete", "instances in other statuses are left alone");
		const both = await runCli(["instances", "terminate", "approval", "b-1", "--status", "waiting", "--url", bulk.url]);
		assert.equal(both.code, 1);
	});

	test("every command has --help with examples", async () => {
		// The binary prints help and exits 0…
		const r = await runCli(["instances", "describe", "--help"]);
		assert.equal(r.code, 0);
		assert.match(r.stdout, /^Usage: weft instances describe \[options\] <workflow> <id>$/m);
		assert.match(r.stdout, /^Examples:\n {2}\$ weft instances describe hello latest$/m);
		// …and every command of the same program has examples in its help.
		const all: Command[] = [];
		const walk = (c: Command) => {
			all.push(c);
			c.commands.forEach(walk);
		};
		walk(buildProgram());
		assert.ok(all.length >= 16, `${all.length} commands`);
		for (const c of all) {
			let text = "";
			c.configureOutput({ writeOut: (s) => (text += s) });
			c.outputHelp();
			assert.match(text, /^Examples:\n {2}\$ weft /m, `weft ${c.name()} --help has no examples`);
		}
	});
});
