// Test support for the multi-process PostgreSQL tests: a project whose three-step workflow records
// every step body it runs (instance, step, process, start time) in a file, that file read back,
// and helpers shared by workers-postgres.test.ts and postgres-restart.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkflowEntrypoint } from "@weft/core";
import { POSTGRES_URL } from "@weft/store-postgres/test-database";
import pg from "pg";

export { POSTGRES_URL, probePostgres } from "@weft/store-postgres/test-database";

/** Runs SQL on a connection of its own. */
export async function sql(url: string, text: string, values?: unknown[]): Promise<pg.QueryResultRow[]> {
	const client = new pg.Client({ connectionString: url });
	client.on("error", () => {});
	await client.connect();
	try {
		return (await client.query(text, values)).rows;
	} finally {
		await client.end();
	}
}

let schemas = 0;
const dirs: string[] = [];
const dropSchemas: { url: string; schema: string }[] = [];

/** Removes the projects and drops the schemas this process made (after hooks). */
export async function cleanupFixtures(): Promise<void> {
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
	for (const { url, schema } of dropSchemas.splice(0)) await sql(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
}

/** A fresh schema on `base` (dropped by cleanupFixtures) and the database URL that selects it. */
export function freshDatabase(base = POSTGRES_URL): { schema: string; url: string } {
	const schema = `weft_w${process.pid}_${schemas++}`;
	dropSchemas.push({ url: base, schema });
	const url = new URL(base);
	url.searchParams.set("schema", schema);
	return { schema, url: url.toString() };
}

const WORKFLOWS_MJS = `
import { appendFileSync } from "node:fs";
import { WorkflowEntrypoint } from "weft";

// Three steps; each body records that it ran (instance, step, process, start time) before it works.
export class Multi extends WorkflowEntrypoint {
	async run(event, step) {
		let n = 0;
		for (const name of ["one", "two", "three"]) {
			n = await step.do(name, async () => {
				appendFileSync(this.env.RUNS, \`\${event.instanceId} \${name} \${process.pid} \${Date.now()}\\n\`);
				await new Promise((r) => setTimeout(r, this.env.STEP_MS));
				return n + 1;
			});
		}
		return n;
	}
}
`;

/** A project directory using the repository's `weft`, with the Multi workflow on `database`; `config` adds or overrides keys. */
export function makeWorkerProject(database: string, config: Record<string, unknown> & { stepMs?: number } = {}): { dir: string; runs: string } {
	const { stepMs = 200, ...extra } = config;
	const dir = mkdtempSync(join(tmpdir(), "weft-workers-"));
	dirs.push(dir);
	const runs = join(dir, "runs.log");
	writeFileSync(runs, "");
	writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
	symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(dir, "node_modules"), "dir");
	writeFileSync(join(dir, "workflows.mjs"), WORKFLOWS_MJS);
	writeFileSync(
		join(dir, "weft.config.json"),
		JSON.stringify({
			main: "./workflows.mjs",
			database,
			maxActivations: 100,
			shutdownGraceMs: 1000,
			vars: { RUNS: runs, STEP_MS: stepMs },
			workflows: [{ name: "multi", binding: "MULTI", class_name: "Multi" }],
			...extra,
		}),
	);
	return { dir, runs };
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check().catch(() => false))) {
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Run {
	id: string;
	step: string;
	pid: number;
	at: number;
}

export function readRuns(path: string): Run[] {
	return readFileSync(path, "utf8")
		.split("\n")
		.filter(Boolean)
		.map((line) => {
			const [id, step, pid, at] = line.split(" ");
			return { id: id as string, step: step as string, pid: Number(pid), at: Number(at) };
		});
}

/** The body runs of each step, by "<instance> <step>". */
export function runsByStep(runs: Run[]): Map<string, Run[]> {
	const byStep = new Map<string, Run[]>();
	for (const r of runs) byStep.set(`${r.id} ${r.step}`, [...(byStep.get(`${r.id} ${r.step}`) ?? []), r]);
	return byStep;
}

/** How many attempt records each step of each instance has in the journal (of its current generation). */
export async function attemptCounts(pool: pg.Pool, schema: string): Promise<{ id: string; key: string; n: number }[]> {
	const { rows } = await pool.query<{ id: string; key: string; n: number }>(
		`SELECT i.id, j.key, count(*)::int AS n FROM "${schema}".instances i
		 JOIN "${schema}".journal j ON j.iid = i.iid AND j.generation = i.generation
		 WHERE j.kind = 'attempt' GROUP BY i.id, j.key`,
	);
	return rows;
}

/** A workflow class for an engine that is never started: its bindings create instances; it claims nothing. */
export class Stub extends WorkflowEntrypoint {
	override async run() {}
}

/** The counters `weft worker` prints when it stops. */
export function workerSummary(stdout: string): { staleWritesRejected: number; connectionErrors: number; wakeConnections: number } | null {
	const m = /stale writes rejected (\d+) · commits \d+ \(\d+ writes\) · connection errors (\d+) · LISTEN connections (\d+)/.exec(stdout);
	return m ? { staleWritesRejected: Number(m[1]), connectionErrors: Number(m[2]), wakeConnections: Number(m[3]) } : null;
}
