// `weft dev` and `weft start` as a user runs them in a project: the banner, a reload on a code
// change that keeps every instance, a broken edit reported and recovered from, and a graceful
// stop on SIGTERM / SIGINT.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { WeftClient } from "@weft/client";
import { HELLO_PROJECT, killAll, runCli, startCli, waitForOutput } from "./cli-harness.js";

const dirs: string[] = [];
after(async () => {
	await killAll();
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the hello project in a temp directory, able to import `weft` like an installed project. */
function copyProject(): string {
	const dir = mkdtempSync(join(tmpdir(), "weft-dev-test-"));
	dirs.push(dir);
	for (const f of ["weft.config.ts", "workflows.ts"]) cpSync(join(HELLO_PROJECT, f), join(dir, f));
	writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
	symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(dir, "node_modules"), "dir");
	return dir;
}

async function until<T>(f: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await f().catch(() => undefined);
		if (v !== undefined) return v;
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

test("weft dev: banner, reload on change without losing instances, recovery from a broken edit, graceful stop", async () => {
	const dir = copyProject();
	const dev = startCli(["dev", "--port", "0"], { cwd: dir });
	const [, url] = await waitForOutput(dev, /API +(http:\/\/127\.0\.0\.1:\d+)\/api\/workflows/);
	const banner = dev.output().stdout;
	assert.match(banner, /^weft dev · 2 workflows: hello, approval$/m);
	assert.ok(banner.includes(`database  ${join(dir, ".weft", "weft.db")}`), banner);
	assert.match(banner, /auth +none — listening on this machine only \(127\.0\.0\.1\)/);
	const client = new WeftClient({ url: url as string });

	// An instance waiting for an event when the code changes.
	const waiting = await client.workflow("approval").create({ id: "across-reload", params: { order: "o-1" } });
	await until(async () => ((await waiting.status()).status === "waiting" ? true : undefined), "the wait");

	const source = join(dir, "workflows.ts");
	writeFileSync(source, readFileSync(source, "utf8").replace("`Hello, ", "`Howdy, "));
	await waitForOutput(dev, /workflows\.ts changed; reloading\nweft: reloaded — 2 workflows at http:\/\/127\.0\.0\.1:\d+/);

	// The new process took the waiting instance over; new instances run the new code.
	await waiting.sendEvent({ type: "approval", payload: { by: "grace" } });
	const fresh = await client.workflow("hello").create({ id: "after-reload" });
	const done = await until(async () => ((await fresh.status()).status === "complete" ? fresh.status() : undefined), "after-reload to complete");
	assert.deepEqual(done.output, { greeting: "Howdy, world!", shout: "HOWDY, WORLD!" });
	assert.deepEqual((await until(async () => ((await waiting.status()).status === "complete" ? waiting.status() : undefined), "across-reload")).output, {
		order: "o-1",
		approvedBy: "grace",
	});

	// A broken edit is reported; fixing it brings the server back, with everything still there.
	const good = readFileSync(source, "utf8");
	writeFileSync(source, good.replace("export class HelloWorkflow", "export class HelloWorkflowRenamed"));
	await waitForOutput(dev, /✘ \[config\.class_not_found\] workflow "hello" names class_name "HelloWorkflow".*\nweft: waiting for a change to try again/, {
		stream: "stderr",
	});
	const reloads = dev.output().stdout.match(/weft: reloaded/g)?.length ?? 0;
	writeFileSync(source, good);
	await until(async () => ((dev.output().stdout.match(/weft: reloaded/g)?.length ?? 0) > reloads ? true : undefined), "the reload after the fix");
	assert.deepEqual(
		(await client.workflow("hello").list()).instances.map((i) => i.id),
		["after-reload"],
	);

	dev.kill("SIGTERM");
	const stopped = await dev.exited;
	assert.equal(stopped.code, 0, stopped.stderr);
	assert.match(stopped.stdout, /weft: SIGTERM, stopping.*\nweft: stopped\n$/);
	await assert.rejects(client.health(), (e: { code?: string }) => e.code === "connection.failed");
});

test("weft start: a token from WEFT_TOKEN is required by the server; SIGINT stops it", async () => {
	const dir = copyProject();
	const start = startCli(["start", "--port", "0", "--database", "data/prod.db"], { cwd: dir, env: { WEFT_TOKEN: "prod-token" } });
	const [, url] = await waitForOutput(start, /API +(http:\/\/127\.0\.0\.1:\d+)\//);
	assert.match(start.output().stdout, /^weft start · 2 workflows/m);
	assert.match(start.output().stdout, /auth +bearer token required on every request/);
	assert.ok(start.output().stdout.includes(join(dir, "data", "prod.db")));
	await assert.rejects(new WeftClient({ url: url as string }).workflows(), (e: { code?: string }) => e.code === "auth.missing_token");
	assert.equal((await new WeftClient({ url: url as string, token: "prod-token" }).workflows()).length, 2);
	start.kill("SIGINT");
	const stopped = await start.exited;
	assert.equal(stopped.code, 0, stopped.stderr);
	assert.match(stopped.stdout, /weft: stopped\n$/);
});

test("weft dev refuses what it cannot do, with the reason and exit code 1", async () => {
	const empty = mkdtempSync(join(tmpdir(), "weft-dev-empty-"));
	dirs.push(empty);
	const [noConfig, exposed] = await Promise.all([
		runCli(["dev", "--port", "0"], { cwd: empty }),
		runCli(["dev", "--port", "0", "--host", "0.0.0.0"], { cwd: copyProject() }),
	]);
	assert.equal(noConfig.code, 1);
	assert.match(noConfig.stderr, /✘ \[config\.not_found\] no weft\.config\.ts/);
	assert.equal(exposed.code, 1);
	assert.match(exposed.stderr, /✘ \[server\.token_required\] refusing to listen on 0\.0\.0\.0 without a token/);
});
