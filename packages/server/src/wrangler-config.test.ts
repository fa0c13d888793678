// A Cloudflare project's wrangler config as Weft's project config: JSONC and TOML, the Worker's
// fetch handler served with the bindings and vars in env, `cloudflare:workers` imports (ESM and
// CommonJS), Cloudflare-only bindings named at startup and failing clearly when used, and a
// stable error code for each way the config can be wrong.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "./config-error.js";
import { loadConfig } from "./load-config.js";
import { makeProject } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";
import { preservesNonRetryableErrors } from "./wrangler-config.js";

const WORKER_TS = `
import { WorkflowEntrypoint, WorkerEntrypoint, env as moduleEnv, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";

interface Env { GREET: Workflow; GREETING: string; CACHE: KVNamespace; SECRET: string }

export class Greet extends WorkflowEntrypoint<Env, { name: string }> {
	async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
		if (!event.payload?.name) throw new NonRetryableError("no name");
		return step.do("greet", async () => \`\${this.env.GREETING}, \${event.payload.name}!\`);
	}
}

export default class extends WorkerEntrypoint<Env> {
	async fetch(request: Request) {
		const url = new URL(request.url);
		if (url.pathname === "/kv") {
			try {
				await this.env.CACHE.get("x");
			} catch (e) {
				return Response.json({ code: (e as { code?: string }).code, message: (e as Error).message }, { status: 501 });
			}
		}
		if (url.pathname === "/env") return Response.json({ same: moduleEnv.GREETING === this.env.GREETING, secret: this.env.SECRET });
		this.ctx.waitUntil(Promise.resolve());
		const instance = await this.env.GREET.create({ id: url.searchParams.get("id") ?? undefined, params: { name: "Ada" } });
		return Response.json({ id: instance.id });
	}
}
`;

const WRANGLER_TOML = `
name = "greeter"
main = "src/index.ts"
compatibility_date = "2026-04-01"
compatibility_flags = ["nodejs_compat"]

[vars]
GREETING = "Hello"

[[workflows]]
name = "greet"
binding = "GREET"
class_name = "Greet"
schedules = ["0 * * * *"]

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[d1_databases]]
binding = "DB"
database_name = "db"
database_id = "x"

[triggers]
crons = ["*/10 * * * *"]
`;

for (const type of ["module", "commonjs"]) {
	test(`wrangler.toml in a ${type} project: the Worker is served with the bindings and vars in env`, async () => {
		const p = makeProject({
			...(type === "module" ? { "package.json": '{ "type": "module" }' } : {}),
			"wrangler.toml": WRANGLER_TOML,
			".dev.vars": "SECRET=s3cret\n",
			"src/index.ts": WORKER_TS,
		});
		const project = await serveProject({ cwd: p.dir, port: 0, log: () => {} });
		try {
			assert.ok(project.worker, "the Worker is served");
			assert.notEqual(project.worker.port, project.server.port);
			assert.deepEqual(project.loaded.worker?.compatibilityFlags, ["nodejs_compat"]);
			const created = (await (await fetch(`${project.worker.url}/create?id=ada`)).json()) as { id: string };
			assert.equal(created.id, "ada");
			const instance = await project.engine.bindings.GREET?.get("ada");
			for (let i = 0; i < 400 && (await instance?.status())?.status !== "complete"; i++) await new Promise((r) => setTimeout(r, 10));
			assert.deepEqual(await instance?.status(), { status: "complete", output: "Hello, Ada!" });

			assert.deepEqual(await (await fetch(`${project.worker.url}/env`)).json(), { same: true, secret: "s3cret" });
			const kv = await fetch(`${project.worker.url}/kv`);
			assert.equal(kv.status, 501);
			const failure = (await kv.json()) as { code: string; message: string };
			assert.equal(failure.code, "binding.unsupported");
			assert.match(failure.message, /env\.CACHE is a Cloudflare KV namespace \(kv_namespaces\)/);

			// One startup notice names every binding Weft does not provide, and the crons it does not run.
			assert.equal(project.notices.length, 2, project.notices.join("\n"));
			assert.match(project.notices[0] as string, /CACHE \(KV namespace, kv_namespaces\), DB \(D1 database, d1_databases\)/);
			assert.match(project.notices[1] as string, /triggers\.crons/);

			// Weft's API (on its own port) shows the workflow's schedule.
			const listed = (await (await fetch(`${project.url}/api/workflows`)).json()) as { workflows: { name: string; schedules: unknown[] }[] };
			assert.deepEqual(listed.workflows[0]?.schedules.length, 1);
		} finally {
			await project.close();
			p.cleanup();
		}
	});
}

async function loadError(files: Record<string, string>): Promise<ConfigError> {
	const p = makeProject(files);
	try {
		await loadConfig({ cwd: p.dir });
	} catch (e) {
		assert.ok(e instanceof ConfigError, String(e));
		return e;
	} finally {
		p.cleanup();
	}
	return assert.fail("the config loaded");
}

const JSONC = (workflow: string) => `{
	// comments and trailing commas, as wrangler allows
	"name": "demo",
	"main": "src/index.ts",
	"workflows": [${workflow}],
}`;

test("wrangler.jsonc: a class the module does not export, a cross-script binding, a bad cron, bad syntax", async () => {
	const src = { "src/index.ts": WORKER_TS, "package.json": '{ "type": "module" }' };
	const missing = await loadError({ ...src, "wrangler.jsonc": JSONC('{ "name": "greet", "binding": "GREET", "class_name": "Nope" }') });
	assert.equal(missing.code, "config.class_not_found");
	assert.match(missing.message, /class_name "Nope".*it exports Greet/);

	const cross = await loadError({
		...src,
		"wrangler.jsonc": JSONC('{ "name": "greet", "binding": "GREET", "class_name": "Greet", "script_name": "billing" }'),
	});
	assert.equal(cross.code, "config.cross_script_binding");
	assert.match(cross.message, /script_name "billing"/);

	const cron = await loadError({
		...src,
		"wrangler.jsonc": JSONC('{ "name": "greet", "binding": "GREET", "class_name": "Greet", "schedules": ["61 * * * *"] }'),
	});
	assert.equal(cron.code, "config.invalid_schedule");
	assert.match(cron.message, /workflows\[0\]\.schedules "61 \* \* \* \*" is not a valid cron expression/);

	const syntax = await loadError({ ...src, "wrangler.jsonc": '{ "main": "src/index.ts",\n "workflows": [ }' });
	assert.equal(syntax.code, "config.invalid");
	assert.match(syntax.message, /on line 2/);

	const limits = await loadError({
		...src,
		"wrangler.jsonc": JSONC('{ "name": "greet", "binding": "GREET", "class_name": "Greet", "limits": { "steps": 30000 } }'),
	});
	assert.equal(limits.code, "config.invalid");
	assert.match(limits.message, /workflows\[0\]\.limits must be \{ steps: n \} with n an integer from 1 to 25000/);

	// A script_name naming this Worker itself is not cross-script; limits.steps is the workflow's step limit.
	const p = makeProject({
		...src,
		"wrangler.json": JSON.stringify({
			name: "demo",
			main: "src/index.ts",
			workflows: [{ name: "greet", binding: "GREET", class_name: "Greet", script_name: "demo", limits: { steps: 3 } }],
		}),
	});
	try {
		assert.deepEqual(
			(await loadConfig({ cwd: p.dir })).workflows.map((w) => [w.className, w.limits]),
			[["Greet", { steps: 3 }]],
		);
	} finally {
		p.cleanup();
	}
});

test("a weft.config wins over a wrangler file in the same directory; an unknown cloudflare: module fails clearly", async () => {
	const failing = await loadError({
		"package.json": '{ "type": "module" }',
		"wrangler.jsonc": JSONC('{ "name": "greet", "binding": "GREET", "class_name": "Greet" }'),
		"src/index.ts": `import { connect } from "cloudflare:sockets";\nexport const socket = connect;\n${WORKER_TS}`,
	});
	assert.equal(failing.code, "config.module_failed");
	assert.match(failing.message, /"cloudflare:sockets" is not available under Weft/);

	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"wrangler.jsonc": "{ not even json",
		"weft.config.json": JSON.stringify({ main: "src/index.ts", workflows: [{ name: "greet", binding: "GREET", class_name: "Greet" }] }),
		"src/index.ts": WORKER_TS,
	});
	try {
		const loaded = await loadConfig({ cwd: p.dir });
		assert.equal(loaded.worker, null);
	} finally {
		p.cleanup();
	}
});

test("an uncaught NonRetryableError keeps its message as Cloudflare decides it for the Worker: by its flag, else by its compatibility date", () => {
	const flag = "workflows_preserve_non_retryable_error_message";
	assert.equal(preservesNonRetryableErrors(null), true, "a weft.config project");
	assert.equal(preservesNonRetryableErrors({ compatibilityDate: "2025-01-01", compatibilityFlags: [flag] }), true);
	assert.equal(preservesNonRetryableErrors({ compatibilityDate: "2026-05-14", compatibilityFlags: [] }), true, "default-on from 2026-05-14");
	assert.equal(preservesNonRetryableErrors({ compatibilityDate: "2026-05-13", compatibilityFlags: ["nodejs_compat"] }), false);
	assert.equal(preservesNonRetryableErrors({ compatibilityDate: null, compatibilityFlags: [] }), false, "no date: Cloudflare's oldest behaviour");
});
