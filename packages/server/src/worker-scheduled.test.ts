// A Worker's wrangler `triggers.crons` call its `scheduled(controller, env, ctx)` on every firing:
// on a manual clock, with the env fetch gets, ctx.waitUntil awaited before the firing counts as
// done, a throwing handler logged without stopping anything; a WorkerEntrypoint class's method;
// a startup notice when there is no handler; and with two processes on one PostgreSQL database,
// one call per firing in all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, scheduledInstanceId } from "@weft/core";
import { freshSchema, POSTGRES_URL, probePostgres, sql } from "@weft/store-postgres/test-database";
import { ConfigError } from "./config-error.js";
import { loadConfig } from "./load-config.js";
import { makeProject } from "./project-fixture.js";
import { type ServingProject, serveProject } from "./serve-project.js";
import { SCHEDULED_WORKFLOW } from "./worker-scheduled.js";

interface Call {
	project: string;
	type: string;
	cron: string;
	scheduledTime: number;
	envKeys: string[];
	greeting: unknown;
}
// The fixture's handlers run in this process and record their calls here.
const calls: Call[] = [];
(globalThis as { __weftScheduledCalls?: Call[] }).__weftScheduledCalls = calls;

const EVERY_5 = "*/5 * * * *";
const HOURLY = "0 * * * *";
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 0, 1, hh, mm, ss);

const wrangler = (crons: string[]) =>
	JSON.stringify({
		name: "ticker",
		main: "src/index.ts",
		vars: { GREETING: "Hello" },
		workflows: [{ name: "greet", binding: "GREET", class_name: "Greet" }],
		triggers: { crons },
	});

const GREET_TS = `
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
export class Greet extends WorkflowEntrypoint<{ GREETING: string }, { name: string }> {
	async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
		return step.do("greet", async () => \`\${this.env.GREETING}, \${event.payload.name}!\`);
	}
}
`;

// The module form: export default { fetch, scheduled(controller, env, ctx) }.
const OBJECT_WORKER_TS = `${GREET_TS}
const record = (project: string, controller: ScheduledController, env: Record<string, unknown>) =>
	(globalThis as any).__weftScheduledCalls.push({ project, type: controller.type, cron: controller.cron, scheduledTime: controller.scheduledTime, envKeys: Object.keys(env).sort(), greeting: env.GREETING });
export default {
	async fetch() {
		return new Response("ok");
	},
	async scheduled(controller: ScheduledController, env: any, ctx: ExecutionContext) {
		record("object", controller, env);
		if (controller.cron === "${HOURLY}") throw new Error("the hourly job failed");
		controller.noRetry();
		// Work handed to waitUntil finishes before the firing is done.
		ctx.waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => env.GREET.create({ id: \`tick-\${controller.scheduledTime}\`, params: { name: "cron" } })));
	},
};
`;

// The class form: a WorkerEntrypoint whose scheduled(controller) uses this.env and this.ctx.
const CLASS_WORKER_TS = `${GREET_TS}
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint<any> {
	async scheduled(controller: ScheduledController) {
		(globalThis as any).__weftScheduledCalls.push({ project: "class", type: controller.type, cron: controller.cron, scheduledTime: controller.scheduledTime, envKeys: Object.keys(this.env).sort(), greeting: this.env.GREETING });
		this.ctx.waitUntil(this.env.GREET.create({ id: \`tick-\${controller.scheduledTime}\`, params: { name: "class" } }));
	}
}
`;

async function firingStatus(project: ServingProject, cron: string, time: number): Promise<string | null> {
	const record = await project.engine.store.getInstance({ workflow: SCHEDULED_WORKFLOW, id: scheduledInstanceId(cron, time) });
	return record?.status ?? null;
}

/** Moves the clocks on in small steps (timers, activations, leases) until `check` holds. */
async function runUntil(clocks: ManualClock[], check: () => Promise<boolean>, what: string): Promise<void> {
	for (let i = 0; i < 500; i++) {
		if (await check()) return;
		await Promise.all(clocks.map((c) => c.advance(10)));
	}
	assert.fail(`gave up waiting for ${what}`);
}

test("triggers.crons call the Worker's scheduled(controller, env, ctx) once per firing; a throwing handler is logged", async () => {
	calls.length = 0;
	const p = makeProject({ "package.json": '{ "type": "module" }', "wrangler.json": wrangler([EVERY_5, HOURLY]), "src/index.ts": OBJECT_WORKER_TS });
	const clock = new ManualClock(at(0, 0, 30));
	const logged: { message: string; error: unknown }[] = [];
	const project = await serveProject({ cwd: p.dir, port: 0, clock, log: (message, error) => logged.push({ message, error }) });
	try {
		assert.deepEqual(project.notices, [], "a Worker with a scheduled() handler gets no notice about its crons");
		await clock.advance(5 * 60_000);
		await runUntil([clock], async () => (await firingStatus(project, EVERY_5, at(0, 5))) === "complete", "the 00:05 firing");
		assert.deepEqual(calls, [
			{ project: "object", type: "scheduled", cron: EVERY_5, scheduledTime: at(0, 5), envKeys: ["GREET", "GREETING"], greeting: "Hello" },
		]);
		// The firing completed only after its waitUntil work: the instance it creates is there.
		assert.ok(await project.engine.store.getInstance({ workflow: "greet", id: `tick-${at(0, 5)}` }), "waitUntil work ran before the firing completed");

		// To 01:00: eleven more firings of the first cron, one of the hourly, whose handler throws.
		await clock.advance(55 * 60_000);
		await runUntil([clock], async () => (await firingStatus(project, HOURLY, at(1, 0))) === "errored", "the hourly firing to fail");
		await runUntil([clock], async () => (await firingStatus(project, EVERY_5, at(1, 0))) === "complete", "the 01:00 firing");
		const times = calls.filter((c) => c.cron === EVERY_5).map((c) => c.scheduledTime);
		assert.deepEqual(
			times,
			Array.from({ length: 12 }, (_, i) => at(0, 5) + i * 5 * 60_000),
		);
		assert.deepEqual(
			calls.filter((c) => c.cron === HOURLY).map((c) => c.scheduledTime),
			[at(1, 0)],
		);
		const failure = logged.find((l) => (l.error as Error)?.message === "the hourly job failed");
		assert.ok(failure, `the handler's error is logged: ${logged.map((l) => l.message).join("; ")}`);
		assert.match(failure.message, /scheduled\(\) for "0 \* \* \* \*" at 2026-01-01T01:00:00\.000Z/);
		const status = await project.engine.workflow(SCHEDULED_WORKFLOW).get(scheduledInstanceId(HOURLY, at(1, 0)));
		assert.equal((await status.status()).error?.message, "the hourly job failed");

		// The process goes on: the Worker still serves, and the API lists the firings' workflow with its schedules.
		assert.equal(await (await fetch(`${project.worker?.url}/`)).text(), "ok");
		const listed = (await (await fetch(`${project.url}/api/workflows/${SCHEDULED_WORKFLOW}`)).json()) as { schedules: { cron: string; next: string }[] };
		assert.deepEqual(
			listed.schedules.map((s) => [s.cron, s.next]),
			[
				[EVERY_5, "2026-01-01T01:05:00.000Z"],
				[HOURLY, "2026-01-01T02:00:00.000Z"],
			],
		);
	} finally {
		await project.close();
		p.cleanup();
	}
});

test("crons with no scheduled() handler: a startup notice says they are not run, and nothing is registered for them", async () => {
	const p = makeProject({
		"package.json": '{ "type": "module" }',
		"wrangler.json": wrangler([EVERY_5]),
		"src/index.ts": `${GREET_TS}\nexport default { async fetch() { return new Response("ok"); } };\n`,
	});
	const clock = new ManualClock(at(0, 0, 30));
	const project = await serveProject({ cwd: p.dir, port: 0, clock, log: () => {} });
	try {
		assert.equal(project.notices.length, 1, project.notices.join("\n"));
		assert.match(
			project.notices[0] as string,
			/triggers\.crons \(\*\/5 \* \* \* \*\) are not run: src\/index\.ts's default export has no scheduled\(\) handler/,
		);
		assert.throws(() => project.engine.workflow(SCHEDULED_WORKFLOW), /no workflow named/);
		await clock.advance(10 * 60_000);
		assert.equal((await project.engine.listWorkflows()).length, 1);
	} finally {
		await project.close();
		p.cleanup();
	}
});

test("a cron in triggers.crons that does not parse stops the load with config.invalid_schedule", async () => {
	const p = makeProject({ "package.json": '{ "type": "module" }', "wrangler.json": wrangler(["every five minutes"]), "src/index.ts": OBJECT_WORKER_TS });
	try {
		await assert.rejects(
			loadConfig({ cwd: p.dir }),
			(e) => e instanceof ConfigError && e.code === "config.invalid_schedule" && /triggers\.crons/.test(e.message),
		);
	} finally {
		p.cleanup();
	}
});

test("two processes on one PostgreSQL database: one scheduled() call per firing in all (a WorkerEntrypoint class)", async (t) => {
	const why = await probePostgres();
	// CI requires PostgreSQL (WEFT_REQUIRE_POSTGRES=1): there its absence fails the test instead.
	if (why && process.env.WEFT_REQUIRE_POSTGRES === "1") assert.fail(`PostgreSQL is required: ${why}`);
	if (why) return t.skip(`no PostgreSQL: ${why}`);
	calls.length = 0;
	const schema = freshSchema();
	const database = `${POSTGRES_URL}?schema=${schema}`;
	const p = makeProject({ "package.json": '{ "type": "module" }', "wrangler.json": wrangler([EVERY_5]), "src/index.ts": CLASS_WORKER_TS });
	const clocks = [new ManualClock(at(0, 0, 30)), new ManualClock(at(0, 0, 30))];
	const projects: ServingProject[] = [];
	try {
		for (const clock of clocks) projects.push(await serveProject({ cwd: p.dir, port: 0, database, clock, log: (m, e) => assert.fail(`${m}: ${e}`) }));
		// Both processes see 00:05, 00:10 and 00:15.
		await Promise.all(clocks.map((c) => c.advance(15 * 60_000)));
		const first = projects[0] as ServingProject;
		await runUntil(
			clocks,
			async () => {
				for (const m of [5, 10, 15]) if ((await firingStatus(first, EVERY_5, at(0, m))) !== "complete") return false;
				return true;
			},
			"three firings to complete",
		);
		assert.deepEqual(
			calls.map((c) => [c.project, c.scheduledTime, c.envKeys.join(), c.greeting]),
			[5, 10, 15].map((m) => ["class", at(0, m), "GREET,GREETING", "Hello"]),
		);
		const ticks = await first.engine.listInstances("greet", { limit: 10 });
		assert.equal(ticks.instances.length, 3, "each firing's waitUntil work ran once");
	} finally {
		for (const project of projects) await project.close();
		p.cleanup();
		await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	}
});
