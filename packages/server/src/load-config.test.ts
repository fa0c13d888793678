// Loading a project config: TypeScript (ESM or CommonJS projects), JSON, and a clear ConfigError
// with a stable code for each way it can be wrong.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "./config-error.js";
import { parsePostgresUrl, redactUrl } from "./database-url.js";
import { loadConfig } from "./load-config.js";
import { makeProject, WORKFLOWS_TS } from "./project-fixture.js";

const CONFIG_TS = `
import { defineConfig } from "@weft/server";
export default defineConfig({
	main: "./src/workflows.ts",
	vars: { GREETING: "Hi" },
	default_retention: { success_retention: "7 days" },
	workflows: [
		{ name: "hello", binding: "HELLO", class_name: "Hello", concurrency: { limit: 3 } },
		{ name: "other", binding: "OTHER", class_name: "Other", default_retention: { error_retention: "30 days" } },
	],
});
`;

test("a weft.config.ts in an ESM project resolves every workflow to its class", async () => {
	const p = makeProject({ "package.json": '{ "type": "module" }', "weft.config.ts": CONFIG_TS, "src/workflows.ts": WORKFLOWS_TS });
	try {
		const loaded = await loadConfig({ cwd: p.dir });
		assert.equal(loaded.path, join(p.dir, "weft.config.ts"));
		assert.equal(loaded.database, join(p.dir, ".weft", "weft.db"));
		assert.deepEqual(
			loaded.workflows.map((w) => [w.name, w.binding, w.className, w.class.name, w.concurrency, w.retention]),
			[
				["hello", "HELLO", "Hello", "Hello", { limit: 3 }, { success_retention: "7 days" }],
				["other", "OTHER", "Other", "Other", null, { error_retention: "30 days" }],
			],
		);
		assert.equal(loaded.workflows[0]?.modulePath, join(p.dir, "src", "workflows.ts"));
	} finally {
		p.cleanup();
	}
});

test("a project without type: module (TypeScript compiled as CommonJS) loads the same", async () => {
	const p = makeProject({
		"weft.config.ts": CONFIG_TS.replace('import { defineConfig } from "@weft/server";', "").replace("defineConfig(", "("),
		"src/workflows.ts": WORKFLOWS_TS,
	});
	try {
		const loaded = await loadConfig({ cwd: p.dir });
		assert.deepEqual(
			loaded.workflows.map((w) => typeof w.class.prototype.run),
			["function", "function"],
		);
	} finally {
		p.cleanup();
	}
});

test("a weft.config.json works, with the database where it says", async () => {
	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({ workflows: [{ name: "hello", binding: "HELLO", class_name: "Hello", module: "./wf.ts" }], database: "data/x.db" }),
		"wf.ts": WORKFLOWS_TS,
	});
	try {
		const loaded = await loadConfig({ cwd: p.dir });
		assert.equal(loaded.database, join(p.dir, "data", "x.db"));
		assert.equal(loaded.workflows[0]?.class.name, "Hello");
	} finally {
		p.cleanup();
	}
});

const cases: [string, Record<string, string>, string, RegExp][] = [
	["no config file", { "other.txt": "" }, "config.not_found", /weft\.config\.ts/],
	[
		"a module that does not exist",
		{ "weft.config.json": JSON.stringify({ workflows: [{ name: "w", binding: "W", class_name: "Hello", module: "./missing.ts" }] }) },
		"config.module_not_found",
		/workflow "w" is in module "\.\/missing\.ts", but .*missing\.ts does not exist/,
	],
	[
		"a class the module does not export",
		{ "weft.config.json": JSON.stringify({ main: "./wf.ts", workflows: [{ name: "w", binding: "W", class_name: "Helo" }] }), "wf.ts": WORKFLOWS_TS },
		"config.class_not_found",
		/class_name "Helo", but \.\/wf\.ts exports no such name \(it exports Hello, Other\)/,
	],
	[
		"an export that is not a workflow class",
		{ "weft.config.json": JSON.stringify({ main: "./wf.ts", workflows: [{ name: "w", binding: "W", class_name: "notAClass" }] }), "wf.ts": WORKFLOWS_TS },
		"config.class_not_found",
		/not a class with a run\(\) method/,
	],
	[
		"a module that throws on import",
		{
			"weft.config.json": JSON.stringify({ main: "./bad.ts", workflows: [{ name: "w", binding: "W", class_name: "X" }] }),
			"bad.ts": 'throw new Error("boom at import");',
		},
		"config.module_failed",
		/boom at import/,
	],
	["an unknown key", { "weft.config.json": JSON.stringify({ workflows: [], prot: 1 }) }, "config.invalid", /unknown key "prot"/],
	["no workflows", { "weft.config.json": JSON.stringify({ workflows: [] }) }, "config.invalid", /non-empty array/],
	[
		"a workflow without a module",
		{ "weft.config.json": JSON.stringify({ workflows: [{ name: "w", binding: "W", class_name: "X" }] }) },
		"config.invalid",
		/needs a "module"/,
	],
	[
		"an invalid workflow name",
		{ "weft.config.json": JSON.stringify({ main: "a.ts", workflows: [{ name: "no spaces", binding: "W", class_name: "X" }] }) },
		"config.invalid",
		/workflows\[0\]\.name/,
	],
	[
		"a concurrency limit of 0",
		{ "weft.config.json": JSON.stringify({ main: "a.ts", workflows: [{ name: "w", binding: "W", class_name: "X", concurrency: { limit: 0 } }] }) },
		"config.invalid",
		/concurrency/,
	],
	[
		"a retention that is not a duration",
		{
			"weft.config.json": JSON.stringify({
				main: "a.ts",
				default_retention: { success_retention: "forever" },
				workflows: [{ name: "w", binding: "W", class_name: "X" }],
			}),
		},
		"config.invalid",
		/success_retention "forever"/,
	],
	["malformed JSON", { "weft.config.json": "{ workflows: " }, "config.invalid", /not valid JSON/],
	[
		"a database URL that is not PostgreSQL",
		{
			"weft.config.json": JSON.stringify({ main: "./wf.ts", database: "mysql://x/y", workflows: [{ name: "w", binding: "W", class_name: "Hello" }] }),
			"wf.ts": WORKFLOWS_TS,
		},
		"config.unsupported_database",
		/"mysql:\/\/x\/y": give a SQLite file path or a postgres:\/\/ \(postgresql:\/\/\) URL/,
	],
	[
		"a PostgreSQL URL whose schema is not a name",
		{
			"weft.config.json": JSON.stringify({
				main: "./wf.ts",
				database: "postgres://x/y?schema=a-b",
				workflows: [{ name: "w", binding: "W", class_name: "Hello" }],
			}),
			"wf.ts": WORKFLOWS_TS,
		},
		"config.invalid",
		/schema "a-b" must be/,
	],
	[
		"a lease that is not a number",
		{ "weft.config.json": JSON.stringify({ main: "./wf.ts", leaseMs: "30s", workflows: [{ name: "w", binding: "W", class_name: "Hello" }] }) },
		"config.invalid",
		/"leaseMs" must be an integer/,
	],
];

for (const [what, files, code, message] of cases) {
	test(`a config with ${what} is a ConfigError ${code}`, async () => {
		const p = makeProject({ "package.json": '{ "type": "module" }', ...files });
		try {
			await assert.rejects(loadConfig({ cwd: p.dir }), (e) => {
				assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
				assert.equal(e.code, code);
				assert.match(e.message, message);
				return true;
			});
		} finally {
			p.cleanup();
		}
	});
}

test("a PostgreSQL URL is kept as it is, with its schema parameter, and its password hidden when shown", async () => {
	for (const url of ["postgres://weft:s3cret@db.internal:5432/app?schema=tenant_1", "postgresql://db.internal/app"]) {
		const p = makeProject({
			"package.json": '{ "type": "module" }',
			"weft.config.json": JSON.stringify({ main: "./wf.ts", database: url, leaseMs: 2000, workflows: [{ name: "w", binding: "W", class_name: "Hello" }] }),
			"wf.ts": WORKFLOWS_TS,
		});
		try {
			const loaded = await loadConfig({ cwd: p.dir });
			assert.equal(loaded.database, url);
			assert.equal(loaded.config.leaseMs, 2000);
		} finally {
			p.cleanup();
		}
	}
	assert.deepEqual(parsePostgresUrl("postgres://weft:s3cret@db.internal:5432/app?schema=tenant_1&sslmode=require"), {
		connectionString: "postgres://weft:s3cret@db.internal:5432/app?sslmode=require",
		schema: "tenant_1",
	});
	assert.equal(parsePostgresUrl("postgresql://db/app").schema, "weft");
	assert.equal(redactUrl("postgres://weft:s3cret@db.internal:5432/app"), "postgres://weft:***@db.internal:5432/app");
	assert.equal(redactUrl("/var/lib/weft.db"), "/var/lib/weft.db");
});
