// `weft init <template> [dir]`: every example becomes a project whose config loads, whose
// package.json points at this checkout's packages, and which runs under serveProject.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig, serveProject } from "@weft/server";
import { killAll, runCli } from "./cli-harness.js";
import { listTemplates } from "./init-command.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "weft-init-"));
after(async () => {
	await killAll();
	rmSync(dir, { recursive: true, force: true });
});

interface Pkg {
	dependencies: Record<string, string>;
	scripts: Record<string, string>;
}

test("weft init copies each example into a project with a weft.config.ts and a package.json on this checkout's packages", async () => {
	const templates = listTemplates();
	for (const t of ["01-retries", "04-fan-out", "06-etl", "07-thumbnails", "08-scheduled-cleanup", "09-burst"])
		assert.ok(templates.includes(t), `${t} is a template`);
	// The projects need the checkout's packages to load; npm install would link them the same way.
	symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
	for (const template of templates) {
		const r = await runCli(["init", template.slice(3), `my-${template}`], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(
			r.stdout,
			new RegExp(`Created my-${template} from examples/${template} \\(\\d+ files\\)\\n.*cd my-${template} && npm install && npx weft dev`),
		);
		const project = join(dir, `my-${template}`);
		for (const f of ["workflow.ts", "weft.config.ts", "README.md", "package.json"]) assert.ok(existsSync(join(project, f)), `${template}: ${f}`);
		assert.ok(!readFileSync(join(project, "workflow.ts"), "utf8").includes("../shared/"), `${template}: helpers are imported from ./shared/`);

		const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as Pkg;
		assert.equal(pkg.scripts.dev, "weft dev");
		for (const [name, folder] of [
			["weft", "packages/weft"],
			["@weft/cli", "packages/cli"],
			["@weft/server", "packages/server"],
		] as const)
			assert.equal(resolve(project, (pkg.dependencies[name] ?? "").replace(/^file:/, "")), resolve(REPO, folder), `${template}: ${name}`);

		const loaded = await loadConfig({ cwd: project });
		assert.ok(loaded.workflows.length >= 1, `${template}: its config lists workflows`);
	}
	const etl = JSON.parse(readFileSync(join(dir, "my-06-etl", "package.json"), "utf8")) as Pkg;
	assert.match(etl.dependencies["vega-datasets"] ?? "", /^\^3\./, "a data package found by import.meta.resolve is a dependency too");
	assert.match(etl.dependencies["better-sqlite3"] ?? "", /^\^\d/);
	assert.ok(!existsSync(join(dir, "my-06-etl", "run-etl.test.ts")), "tests stay in the repository");
});

test("a project made by weft init runs: serveProject on it completes an instance", async () => {
	const r = await runCli(["init", "04-fan-out", "quotes"], { cwd: dir });
	assert.equal(r.code, 0, r.stderr);
	const project = join(dir, "quotes");
	if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
	const served = await serveProject({ cwd: project, port: 0, database: join(project, ".weft", "test.db"), log: () => {} });
	try {
		const quote = served.engine.workflow("price-quote");
		const instance = await quote.create({ params: { sku: "W-1", suppliers: ["acme", "globex"] } });
		let status = await instance.status();
		for (let i = 0; i < 500 && status.status !== "complete" && status.status !== "errored"; i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			status = await instance.status();
		}
		assert.equal(status.status, "complete", JSON.stringify(status));
		assert.deepEqual((status.output as { cheapest: unknown }).cheapest, { supplier: "globex", price: 11.9 });
	} finally {
		await served.close();
	}
});

test("weft init refuses an unknown template and a folder that is not empty, saying why", async () => {
	const unknown = await runCli(["init", "nope"], { cwd: dir });
	assert.equal(unknown.code, 1);
	assert.match(unknown.stderr, /no template "nope"; the templates are: 01-retries, .*06-etl.* \(the number may be left out\)/);

	mkdirSync(join(dir, "taken"));
	writeFileSync(join(dir, "taken", "notes.txt"), "mine\n");
	const taken = await runCli(["init", "etl", "taken"], { cwd: dir });
	assert.equal(taken.code, 1);
	assert.match(taken.stderr, /taken is not empty; give weft init a new or empty folder/);
	assert.deepEqual(readFileSync(join(dir, "taken", "notes.txt"), "utf8"), "mine\n");
});
