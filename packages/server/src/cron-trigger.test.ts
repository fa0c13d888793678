// Workflow schedules: a firing on a manual clock creates exactly one instance whose event carries
// `schedule`; a restart after missed firings runs the latest once and counts the others; two
// processes racing on one PostgreSQL database create one instance per firing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Engine, ManualClock, scheduledInstanceId, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { openStore, probePostgres } from "@weft/store-postgres/test-database";
import { createEngine } from "weft";
import { CronTrigger } from "./cron-trigger.js";

class Tick extends WorkflowEntrypoint {
	async run(event: WorkflowEvent, step: WorkflowStep) {
		return step.do("report", async () => ({ schedule: event.schedule ?? null, payload: event.payload ?? null }));
	}
}

const CRON = "*/5 * * * *";
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 0, 1, hh, mm, ss);
const dirs: string[] = [];
after(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDb = () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-cron-"));
	dirs.push(dir);
	return join(dir, "weft.db");
};
const silent = (e: unknown, context: string) => assert.fail(`${context}: ${e}`);

async function ids(engine: Engine): Promise<string[]> {
	return (await engine.listInstances("tick", { limit: 100 })).instances.map((i) => i.id).sort();
}

test("a firing on a manual clock creates exactly one instance, with event.schedule", async () => {
	const clock = new ManualClock(at(0, 0, 30));
	const engine = await createEngine({ database: tempDb(), clock, workflows: { TICK: { name: "tick", class: Tick } } });
	const trigger = new CronTrigger({ engine, workflows: [{ workflow: "tick", crons: [CRON] }], onError: silent });
	try {
		await trigger.start();
		assert.deepEqual(await ids(engine), [], "a new schedule catches nothing up");
		assert.deepEqual(trigger.describe("tick"), [{ cron: CRON, next: "2026-01-01T00:05:00.000Z" }]);

		await clock.advance(5 * 60_000);
		await trigger.flush();
		const id = scheduledInstanceId(CRON, at(0, 5));
		assert.deepEqual(await ids(engine), [id]);
		const instance = await engine.bindings.TICK.get(id);
		for (let i = 0; i < 200 && (await instance.status()).status !== "complete"; i++) await clock.advance(10);
		assert.deepEqual(await instance.status(), { status: "complete", output: { schedule: { cron: CRON, scheduledTime: at(0, 5) }, payload: null } });
		assert.deepEqual(trigger.describe("tick"), [{ cron: CRON, next: "2026-01-01T00:10:00.000Z" }]);
		assert.deepEqual(trigger.stats, { created: 1, duplicates: 0 });

		// An instance created any other way has no schedule.
		const plain = await engine.bindings.TICK.create({ id: "by-hand" });
		for (let i = 0; i < 200 && (await plain.status()).status !== "complete"; i++) await clock.advance(10);
		assert.deepEqual((await plain.status()).output, { schedule: null, payload: null });
	} finally {
		await trigger.close();
		await engine.close({ graceMs: 0 });
	}
});

test("after a restart, the latest missed firing runs once and the others are counted", async () => {
	const database = tempDb();
	const workflows = { TICK: { name: "tick", class: Tick } };
	const first = new ManualClock(at(0, 0, 30));
	let engine = await createEngine({ database, clock: first, workflows });
	let trigger = new CronTrigger({ engine, workflows: [{ workflow: "tick", crons: [CRON] }], onError: silent });
	await trigger.start();
	await first.advance(5 * 60_000);
	await trigger.flush();
	await trigger.close();
	await engine.close({ graceMs: 0 });

	// Nothing ran at 00:10, 00:15 and 00:20; the process starts again at 00:23:10.
	const second = new ManualClock(at(0, 23, 10));
	engine = await createEngine({ database, clock: second, workflows });
	trigger = new CronTrigger({ engine, workflows: [{ workflow: "tick", crons: [CRON] }], onError: silent });
	try {
		await trigger.start();
		assert.deepEqual(await ids(engine), [scheduledInstanceId(CRON, at(0, 5)), scheduledInstanceId(CRON, at(0, 20))].sort());
		assert.deepEqual(trigger.describe("tick"), [{ cron: CRON, next: "2026-01-01T00:25:00.000Z", missed: 2 }]);

		// Starting again at once (a `weft dev` reload) finds the latest firing done: nothing more.
		const again = new CronTrigger({ engine, workflows: [{ workflow: "tick", crons: [CRON] }], onError: silent });
		await again.start();
		await again.close();
		assert.deepEqual(again.stats, { created: 0, duplicates: 0 });

		await second.advance(2 * 60_000);
		await trigger.flush();
		assert.equal((await ids(engine)).length, 3);
		assert.ok((await ids(engine)).includes(scheduledInstanceId(CRON, at(0, 25))));
	} finally {
		await trigger.close();
		await engine.close({ graceMs: 0 });
	}
});

test("two processes racing on PostgreSQL create exactly one instance per firing", async (t) => {
	const why = await probePostgres();
	// CI requires PostgreSQL (WEFT_REQUIRE_POSTGRES=1): there its absence fails the test instead.
	if (why && process.env.WEFT_REQUIRE_POSTGRES === "1") assert.fail(`PostgreSQL is required: ${why}`);
	if (why) return t.skip(`no PostgreSQL: ${why}`);
	const a = await openStore();
	const b = await openStore({ schema: a.schema }, true);
	const clocks = [new ManualClock(at(0, 0, 30)), new ManualClock(at(0, 0, 30))];
	const engines = [a, b].map((store, i) => new Engine({ store, clock: clocks[i] as ManualClock, workflows: { TICK: { name: "tick", class: Tick } } }));
	const triggers = engines.map((engine) => new CronTrigger({ engine, workflows: [{ workflow: "tick", crons: [CRON, "*/15 * * * *"] }], onError: silent }));
	try {
		await Promise.all(triggers.map((tr) => tr.start()));
		// 00:05, 00:10, 00:15 for the first cron, 00:15 for the second: four firings, each seen by both processes.
		await Promise.all(clocks.map((c) => c.advance(15 * 60_000)));
		await Promise.all(triggers.map((tr) => tr.flush()));
		const created = await ids(engines[0] as Engine);
		assert.deepEqual(
			created,
			[
				scheduledInstanceId(CRON, at(0, 5)),
				scheduledInstanceId(CRON, at(0, 10)),
				scheduledInstanceId(CRON, at(0, 15)),
				scheduledInstanceId("*/15 * * * *", at(0, 15)),
			].sort(),
		);
		const stats = triggers.map((tr) => tr.stats);
		assert.equal(
			stats.reduce((n, s) => n + s.created, 0),
			4,
			JSON.stringify(stats),
		);
		assert.equal(
			stats.reduce((n, s) => n + s.duplicates, 0),
			4,
			JSON.stringify(stats),
		);
	} finally {
		await Promise.all(triggers.map((tr) => tr.close()));
		await engines[1]?.close({ graceMs: 0 });
		await engines[0]?.close({ graceMs: 0 });
	}
});
