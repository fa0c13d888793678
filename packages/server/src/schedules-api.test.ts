// GET /api/workflows and /api/workflows/:name show each workflow's schedules with the next
// firing; the OpenAPI document and docs/http-api.md describe the same fields.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { OPENAPI_DOCUMENT } from "./openapi-document.js";
import { makeProject, WORKFLOWS_TS } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";

const httpApiDoc = readFileSync(new URL("../../../docs/http-api.md", import.meta.url), "utf8");

test("the API shows schedules as the OpenAPI document and docs/http-api.md describe them", async () => {
	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({
			main: "src/workflows.ts",
			workflows: [
				{ name: "hello", binding: "HELLO", class_name: "Hello", schedules: ["*/5 * * * *", "0 0 1 1 *"] },
				{ name: "other", binding: "OTHER", class_name: "Other" },
			],
		}),
		"src/workflows.ts": WORKFLOWS_TS,
	});
	const project = await serveProject({ cwd: p.dir, port: 0, log: () => {} });
	try {
		const list = (await (await fetch(`${project.url}/api/workflows`)).json()) as { workflows: { name: string; schedules: Record<string, unknown>[] }[] };
		const hello = list.workflows.find((w) => w.name === "hello");
		assert.deepEqual(
			hello?.schedules.map((s) => s.cron),
			["*/5 * * * *", "0 0 1 1 *"],
		);
		for (const s of hello?.schedules ?? []) {
			assert.ok(Date.parse(s.next as string) > Date.now() - 1000, `next ${s.next} is a future ISO date`);
			assert.match(s.next as string, /:00\.000Z$/);
		}
		assert.deepEqual(list.workflows.find((w) => w.name === "other")?.schedules, []);
		const one = (await (await fetch(`${project.url}/api/workflows/hello`)).json()) as { schedules: unknown[] };
		assert.deepEqual(one.schedules, hello?.schedules);

		// Every field served is in the OpenAPI schema and in docs/http-api.md, and vice versa.
		const schemas = OPENAPI_DOCUMENT.components.schemas as unknown as Record<string, { properties?: Record<string, unknown> }>;
		assert.ok("schedules" in (schemas.WorkflowSummary?.properties ?? {}));
		const fields = Object.keys(schemas.WorkflowSchedule?.properties ?? {}).sort();
		assert.deepEqual(fields, ["cron", "missed", "next"]);
		for (const s of hello?.schedules ?? []) for (const key of Object.keys(s)) assert.ok(fields.includes(key), `${key} is not in the OpenAPI schema`);
		const documented = httpApiDoc.match(/schedules: \[\{ ([^\]]+) \}\]/)?.[1];
		assert.ok(documented, "docs/http-api.md shows schedules: [{ … }] for GET /api/workflows");
		assert.deepEqual(
			documented
				.split(",")
				.map((f) => f.trim().replace(/\?$/, ""))
				.sort(),
			fields,
		);
	} finally {
		await project.close();
		p.cleanup();
	}
});
