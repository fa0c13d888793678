// A Cloudflare Workers project runs under `weft dev` with no file changed: the real `weft` binary
// reads its wrangler.jsonc, resolves `cloudflare:workers` / `cloudflare:workflows`, serves the
// Worker's fetch handler with the workflow bindings in env, and the project's own smoke.mjs
// passes against it (see README.md).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const fixture = join(here, "fixture");
const reference = resolve(root, "../shared/reference/cloudflare-local");
const bin = join(root, "packages/cli/dist/bin.js");

const children = new Set();
const dirs = [];
after(async () => {
	for (const child of children) child.kill("SIGKILL");
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function files(dir) {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile())
		.map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)))
		.sort();
}

function run(args, cwd) {
	const child = spawn(process.execPath, args, {
		cwd,
		env: { ...process.env, NO_COLOR: "1", WEFT_URL: "", WEFT_TOKEN: "", WEFT_DATABASE: "" },
		stdio: ["ignore", "pipe", "pipe"],
	});
	children.add(child);
	let out = "";
	child.stdout.on("data", (d) => (out += d));
	child.stderr.on("data", (d) => (out += d));
	const exited = new Promise((r) =>
		child.on("close", (code) => {
			children.delete(child);
			r(code);
		}),
	);
	return { child, exited, output: () => out };
}

async function waitFor(proc, pattern) {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const m = pattern.exec(proc.output());
		if (m) return m;
		if (proc.child.exitCode !== null) assert.fail(`weft dev exited before printing ${pattern}:\n${proc.output()}`);
		if (Date.now() > deadline) assert.fail(`no ${pattern}:\n${proc.output()}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

test("the fixture is the reference project, unmodified", { skip: !existsSync(reference) && `no ${reference}` }, () => {
	for (const f of files(fixture))
		assert.equal(readFileSync(join(fixture, f), "utf8"), readFileSync(join(reference, f), "utf8"), `${f} differs from the reference`);
});

test("weft dev runs the Cloudflare project unchanged, and its smoke.mjs passes", { timeout: 180_000 }, async () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-cloudflare-project-"));
	dirs.push(dir);
	cpSync(fixture, dir, { recursive: true });
	const before = Object.fromEntries(files(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));

	const dev = run([bin, "dev", "--port", "0"], dir);
	const [, workerUrl] = await waitFor(dev, /Worker\s+(http:\/\/127\.0\.0\.1:\d+)/);
	const [, apiUrl] = await waitFor(dev, /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/workflows/);
	assert.notEqual(workerUrl, apiUrl);

	// The Worker owns its port's whole path space: /api/workflows is the Worker's own 404 there.
	const onWorker = await fetch(`${workerUrl}/api/workflows`);
	assert.equal(onWorker.status, 404);
	assert.ok(Array.isArray((await onWorker.json()).routes));
	// Weft's API, on the other port, lists the wrangler config's workflows.
	const listed = await (await fetch(`${apiUrl}/api/workflows`)).json();
	assert.deepEqual(listed.workflows.map((w) => [w.name, w.binding, w.className]).sort(), [
		["bench-workflow", "BENCH", "BenchWorkflow"],
		["demo-workflow", "DEMO", "DemoWorkflow"],
	]);

	const smoke = run(["smoke.mjs", workerUrl], dir);
	const code = await smoke.exited;
	assert.equal(code, 0, `smoke.mjs failed:\n${smoke.output()}\n--- weft dev:\n${dev.output()}`);
	assert.match(smoke.output(), /5 passed, 0 failed/);

	// The instances the smoke test made are Weft instances, visible through Weft's API.
	const page = await (await fetch(`${apiUrl}/api/workflows/demo-workflow/instances?limit=10`)).json();
	assert.equal(page.instances.length, 4);

	dev.child.kill("SIGTERM");
	assert.equal(await dev.exited, 0);
	for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(dir, f), "utf8"), text, `${f} was changed`);
});
