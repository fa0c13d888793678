// Encryption at rest on a real PostgreSQL database: a served project with keys runs instances
// whose params, step results (and a failed attempt's error), captured console output, an event
// payload, a child's params and output (and the notice the child's end delivers to its parent),
// the output, an instance error and a failed rollback all carry a marker; then every text and bytea column of every
// table in the project's schema is searched for it. The API and the engine still answer in
// plaintext. A control run without keys finds the marker in those columns, so the search looks in
// the right place.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { WeftClient } from "@weft/client";
import { freshSchema, POSTGRES_URL, probePostgres, sql } from "@weft/store-postgres/test-database";
import { runMarkedWorkload } from "./encryption-fixture.js";
import { makeProject } from "./project-fixture.js";
import { serveProject } from "./serve-project.js";

const MARKER = "weft-pg-marker-5d0e";
const K1 = randomBytes(32).toString("base64");

const WORKFLOWS_JS = `
import { NonRetryableError, WorkflowEntrypoint, runChild } from "weft";

let flaky = 0;
export class Secretive extends WorkflowEntrypoint {
	async run(event, step) {
		const echoed = await step.do("echo", async () => {
			console.log("${MARKER} (console)");
			return event.payload.note + " (step)";
		});
		// The first attempt fails: its error (name, message, stack) is journaled too.
		const retried = await step.do("flaky", { retries: { limit: 1, delay: 0 } }, async () => {
			if (flaky++ === 0) throw new Error("${MARKER} (attempt error)");
			return "${MARKER} (retried)";
		});
		const child = await runChild(step, "child", this.env.CHILD, { params: { note: "${MARKER} (child params)" } });
		const reply = await step.waitForEvent("await reply", { type: "reply", timeout: "1 hour" });
		return { echoed, retried, child, reply: reply.payload.note, output: "${MARKER} (output)" };
	}
}
export class Child extends WorkflowEntrypoint {
	async run(event, step) {
		return step.do("child step", async () => event.payload.note + " (child output)");
	}
}
export class Failing extends WorkflowEntrypoint {
	async run(event, step) {
		// Its rollback handler fails too: the rollback outcome is part of the instance's error.
		await step.do("book", async () => "${MARKER} (booked)", {
			rollback: async () => {
				throw new NonRetryableError("${MARKER} (rollback error)");
			},
		});
		await step.do("doomed", async () => {
			throw new NonRetryableError("${MARKER} (error)");
		});
	}
}
`;

const EXPECTED_OUTPUT = {
	echoed: `${MARKER} (params) (step)`,
	retried: `${MARKER} (retried)`,
	child: `${MARKER} (child params) (child output)`,
	reply: `${MARKER} (event)`,
	output: `${MARKER} (output)`,
};

/** `table.column` for every text or bytea column of the schema's tables that holds `needle` in some row. */
async function columnsHolding(schema: string, needle: string): Promise<{ searched: string[]; found: string[] }> {
	const columns = await sql<{ table_name: string; column_name: string; data_type: string }>(
		`SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
		 JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		 WHERE c.table_schema = $1 AND c.data_type IN ('text', 'bytea', 'character varying', 'character', 'json', 'jsonb')
		 ORDER BY c.table_name, c.column_name`,
		[schema],
	);
	const found: string[] = [];
	for (const { table_name, column_name, data_type } of columns) {
		const col = `"${column_name}"`;
		// bytea is searched as bytes (a V8-serialized string holds ASCII as its own bytes); the rest as text.
		const match = data_type === "bytea" ? `position(convert_to($1, 'UTF8') in ${col}) > 0` : `strpos(${col}::text, $1) > 0`;
		const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table_name}" WHERE ${match}`, [needle]);
		if (Number(row?.n) > 0) found.push(`${table_name}.${column_name}`);
	}
	return { searched: columns.map((c) => `${c.table_name}.${c.column_name}`), found };
}

/** Serves the project on a fresh schema, runs the instances, checks what the API answers, and returns the schema. */
async function runOnPostgres(encryption: unknown): Promise<string> {
	const schema = freshSchema();
	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({
			main: "./workflows.js",
			database: `${POSTGRES_URL}?schema=${schema}`,
			...(encryption ? { encryption } : {}),
			logs: { echoConsole: false, level: "error" },
			workflows: [
				{ name: "secretive", binding: "SECRETIVE", class_name: "Secretive" },
				{ name: "child", binding: "CHILD", class_name: "Child" },
				{ name: "failing", binding: "FAILING", class_name: "Failing" },
			],
		}),
		"workflows.js": WORKFLOWS_JS,
	});
	try {
		const served = await serveProject({ cwd: p.dir, port: 0, log: (m, e) => assert.fail(`${m}: ${e}`) });
		try {
			const client = new WeftClient({ url: served.url });
			const { done, errored } = await runMarkedWorkload(client, MARKER);
			assert.deepEqual(done.output, EXPECTED_OUTPUT);
			assert.deepEqual(errored.error, { name: "NonRetryableError", message: `${MARKER} (error)` });
			assert.deepEqual(errored.rollback, { outcome: "failed", error: { name: "NonRetryableError", message: `${MARKER} (rollback error)` } });

			// Key holders read everything back: the engine (journal, with the failed attempt and the console line) and the API's pages.
			const journal = JSON.stringify(await served.engine.readJournal({ workflow: "secretive", id: "s-1" }));
			for (const part of ["(attempt error)", "(console)", "(event)", "(child params) (child output)"]) assert.ok(journal.includes(`${MARKER} ${part}`), part);
			for (const path of ["/api/workflows/failing/instances/f-1", "/api/workflows/secretive/instances/s-1/history"]) {
				const res = await fetch(served.url + path);
				assert.equal(res.status, 200, path);
				assert.ok((await res.text()).includes(MARKER), path);
			}
		} finally {
			await served.close();
		}
		return schema;
	} catch (e) {
		await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		throw e;
	} finally {
		p.cleanup();
	}
}

const absent = await probePostgres();

if (absent === null) {
	describe("encryption at rest on PostgreSQL", () => {
		test("no text or bytea column of the schema holds the plaintext; the API and the engine still read it", async () => {
			const schema = await runOnPostgres({ keys: { k1: K1 }, current: "k1" });
			try {
				const { searched, found } = await columnsHolding(schema, MARKER);
				for (const column of ["instances.params", "instances.output", "instances.error", "journal.data", "events.payload"])
					assert.ok(searched.includes(column), `${column} was searched (${searched.join(", ")})`);
				assert.deepEqual(found, [], "columns holding the plaintext");
				const [sealed] = await sql<{ error: string }>(`SELECT error FROM "${schema}".instances WHERE id = 'f-1'`);
				assert.equal(JSON.parse(sealed?.error ?? "{}").name, "EncryptedError");
			} finally {
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});

		test("control: without keys the same run leaves the plaintext in those columns", async () => {
			const schema = await runOnPostgres(undefined);
			try {
				const { found } = await columnsHolding(schema, MARKER);
				for (const column of ["instances.params", "instances.output", "instances.error", "journal.data", "events.payload"])
					assert.ok(found.includes(column), `${column} holds the plaintext (found: ${found.join(", ")})`);
			} finally {
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});
	});
} else if (process.env.WEFT_REQUIRE_POSTGRES === "1") {
	test("encryption at rest on PostgreSQL", () => assert.fail(`WEFT_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${POSTGRES_URL}: ${absent}`));
} else {
	test("encryption at rest on PostgreSQL", (t) =>
		t.skip(
			`SKIPPED ENCRYPTION-ON-POSTGRESQL TESTS: no PostgreSQL at ${POSTGRES_URL} (${absent}); run scripts/start-postgres.sh, or set WEFT_REQUIRE_POSTGRES=1 to fail instead`,
		));
}
