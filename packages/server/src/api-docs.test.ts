// docs/http-api.md, the OpenAPI document and the code must agree: the same routes, and the
// same error table; and every error code the engine documents has a status.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { apiRoutes, createApi } from "./create-api.js";
import { ERROR_STATUS } from "./error-status.js";
import { OPENAPI_DOCUMENT } from "./openapi-document.js";
import { startTestServer } from "./server-harness.js";

const httpApiDoc = readFileSync(new URL("../../../docs/http-api.md", import.meta.url), "utf8");
const engineApiDoc = readFileSync(new URL("../../../docs/api.md", import.meta.url), "utf8");

/** "GET /api/workflows/:name", from Hono's or OpenAPI's way of writing a path. */
const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`;

/** The rows of the markdown table under `## heading`. */
function tableRows(markdown: string, heading: string): string[][] {
	const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
	assert.ok(section, `no "## ${heading}" section`);
	return section
		.split("\n")
		.filter((l) => /^\| `/.test(l))
		.map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()));
}

test("the server's routes, the OpenAPI paths and docs/http-api.md list the same routes", async () => {
	const t = await startTestServer();
	try {
		const served = apiRoutes(createApi({ engine: t.engine }).app).map((r) => routeKey(r.method, r.path));
		assert.equal(new Set(served).size, served.length, "a route registered twice");
		const openapi = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => routeKey(m, path)));
		const documented = tableRows(httpApiDoc, "Routes").map((cells) => (cells[1] as string).replace(/`/g, ""));
		assert.deepEqual([...openapi].sort(), [...served].sort(), "OpenAPI paths vs registered routes");
		assert.deepEqual([...documented].sort(), [...served].sort(), "docs/http-api.md vs registered routes");

		// The document the server serves is this one, and it is OpenAPI 3.1.
		const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as typeof OPENAPI_DOCUMENT;
		assert.equal(doc.openapi, "3.1.0");
		assert.deepEqual(doc, JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
		// Every $ref points at a schema that exists.
		for (const [, name] of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g))
			assert.ok(name && name in doc.components.schemas, `dangling $ref to ${name}`);
		// Every path parameter is declared.
		for (const [path, ops] of Object.entries(doc.paths))
			for (const op of Object.values(ops) as { parameters?: { name: string; in: string }[] }[])
				for (const [, p] of path.matchAll(/\{(\w+)\}/g))
					assert.ok(
						op.parameters?.some((q) => q.in === "path" && q.name === p),
						`${path}: {${p}} undeclared`,
					);
	} finally {
		await t.close();
	}
});

test("docs/http-api.md's error table is ERROR_STATUS, and every engine error code has a status", () => {
	const documented = Object.fromEntries(tableRows(httpApiDoc, "Errors").map((cells) => [(cells[1] as string).replace(/`/g, ""), Number(cells[2])]));
	assert.deepEqual(documented, { ...ERROR_STATUS });
	const engineCodes = tableRows(engineApiDoc, "Errors").flatMap((cells) =>
		[...(cells[1] as string).matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1] as string),
	);
	assert.ok(engineCodes.length >= 15, `found only ${engineCodes.length} codes in docs/api.md`);
	for (const code of engineCodes) assert.ok(code in ERROR_STATUS, `docs/api.md documents ${code}, which has no HTTP status`);
	for (const [code, status] of Object.entries(ERROR_STATUS)) assert.ok([400, 401, 403, 404, 405, 409, 413, 429, 500].includes(status), `${code}: ${status}`);
});
