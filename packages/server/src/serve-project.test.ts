// serveProject: a project's config, its workflows and `vars`, the engine and the API, started and
// closed as `weft start` does it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WeftClient } from "@weft/client";
import { makeProject, WORKFLOWS_TS } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";

test("serves a project's workflows with its vars on this.env, then closes engine and server", async () => {
	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.ts": `export default { main: "./workflows.ts", vars: { GREETING: "Howdy" }, workflows: [{ name: "hello", binding: "HELLO", class_name: "Hello" }] };`,
		"workflows.ts": WORKFLOWS_TS,
	});
	try {
		const project = await serveProject({ cwd: p.dir, port: 0, database: "custom/dev.db" });
		let closed = false;
		try {
			assert.equal(project.database, join(p.dir, "custom", "dev.db"));
			assert.ok(existsSync(project.database));
			assert.equal(project.authenticated, false);
			assert.match(project.url, /^http:\/\/127\.0\.0\.1:\d+$/);
			const client = new WeftClient({ url: project.url });
			const instance = await client.workflow("hello").create({ params: { name: "Ada" } });
			let status = await instance.status();
			for (let i = 0; i < 200 && status.status !== "complete"; i++) {
				await new Promise((r) => setTimeout(r, 10));
				status = await instance.status();
			}
			assert.deepEqual(status, { status: "complete", output: "Howdy, Ada!" });
			const described = await client.workflow("hello").describe();
			assert.deepEqual([described.className, described.module], ["Hello", "./workflows.ts"]);
			await project.close();
			closed = true;
			await assert.rejects(client.health(), (e: { code?: string }) => e.code === "connection.failed");
		} finally {
			if (!closed) await project.close();
		}
	} finally {
		p.cleanup();
	}
});
