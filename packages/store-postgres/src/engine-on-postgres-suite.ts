// The engine on the PostgreSQL store, on the database clock and the real system clock: one
// process end to end, and two engines on two pools sharing one schema, woken by NOTIFY.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Engine, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import type { PostgresStore } from "./postgres-store.js";
import { freshSchema, openStore, sql, until } from "./test-database.js";

class SleepThenWait extends WorkflowEntrypoint<unknown, { n: number }> {
	override async run(event: WorkflowEvent<{ n: number }>, step: WorkflowStep) {
		const a = await step.do("first", async () => event.payload.n + 1);
		await step.sleep("nap", 200);
		const go = await step.waitForEvent<{ k: number }>("go", { type: "go", timeout: "1 minute" });
		return step.do("last", async () => a + go.payload.k);
	}
}

/** Counts body executions per engine, to see both engines working and every step committed once. */
const ran = new Map<string, number>();

class ThreeSteps extends WorkflowEntrypoint<{ WORKER: string }> {
	override async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		const count = () => ran.set(this.env.WORKER, (ran.get(this.env.WORKER) ?? 0) + 1);
		for (const name of ["one", "two", "three"])
			await step.do(name, async () => {
				count();
				await new Promise((r) => setTimeout(r, 5));
				return name;
			});
		return "done";
	}
}

/** Instances whose step started on the worker named "stuck". */
const startedStuck = new Set<string>();

/** Its one step never ends on the worker named "stuck" (until that worker aborts it). */
class StuckOnOneWorker extends WorkflowEntrypoint<{ WORKER: string }> {
	override async run(event: WorkflowEvent<unknown>, step: WorkflowStep) {
		return step.do("work", async (ctx) => {
			if (this.env.WORKER !== "stuck") return `done by ${this.env.WORKER}`;
			startedStuck.add(event.instanceId);
			return new Promise<never>((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
		});
	}
}

async function engineOn(
	store: PostgresStore,
	workflows: ConstructorParameters<typeof Engine>[0]["workflows"],
	env: Record<string, unknown> = {},
	leaseMs?: number,
) {
	const errors: unknown[] = [];
	const engine = new Engine({
		store,
		workflows,
		env,
		maxActivations: 20,
		...(leaseMs ? { leaseMs } : {}),
		onError: (e, context) => errors.push(`${context}: ${e}`),
	});
	store.onWake(() => engine.wake());
	await engine.start();
	return { engine, errors };
}

export function engineOnPostgresSuite(): void {
	describe("the engine on PostgreSQL", () => {
		test("runs a workflow on the database clock: steps, a sleep, an event", async () => {
			const store = await openStore({ clock: "database" });
			const { engine, errors } = await engineOn(store, { FLOW: SleepThenWait });
			try {
				const instance = await engine.workflow("FLOW").create({ params: { n: 1 } });
				await until(async () => (await store.getInstance({ workflow: "FLOW", id: instance.id }))?.status === "waiting", "the wait for the event");
				const journal = await store.readJournal({ workflow: "FLOW", id: instance.id });
				assert.ok(
					journal.some((r) => r.kind === "sleep"),
					"the sleep was journaled and slept through",
				);
				await instance.sendEvent({ type: "go", payload: { k: 40 } });
				await until(async () => (await instance.status()).status === "complete", "completion");
				assert.deepEqual(await instance.status(), { status: "complete", output: 42 });
				assert.deepEqual(errors, []);
			} finally {
				await engine.close({ graceMs: 0 });
			}
		});

		test("two engines on two pools share 200 instances; every step is committed once", async () => {
			const schema = freshSchema();
			const stores = [
				await openStore({ schema, sharedByWorkers: true, applicationName: `${schema}_a` }, true),
				await openStore({ schema, sharedByWorkers: true, applicationName: `${schema}_b` }, true),
			];
			const engines = await Promise.all(stores.map((s, i) => engineOn(s, { THREE: ThreeSteps }, { WORKER: `${schema}/${i}` })));
			try {
				const binding = engines[0]?.engine.workflow("THREE");
				for (let i = 0; i < 200; i += 50) await binding?.createBatch(Array.from({ length: 50 }, () => ({})));
				const store = stores[1] as PostgresStore;
				await until(async () => (await store.countByStatus()).some((c) => c.status === "complete" && c.count === 200), "200 instances complete");
				const perInstance = await sql<{ n: string }>(
					`SELECT count(*) AS n FROM "${schema}".journal WHERE kind = 'attempt' GROUP BY iid, generation, key HAVING count(*) <> 1`,
				);
				assert.deepEqual(perInstance, [], "one attempt record per step");
				const [attempts] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".journal WHERE kind = 'attempt'`);
				assert.equal(Number(attempts?.n), 600);
				const a = ran.get(`${schema}/0`) ?? 0;
				const b = ran.get(`${schema}/1`) ?? 0;
				assert.ok(a > 0 && b > 0, `both engines ran steps (${a} and ${b})`);
				assert.ok(a + b >= 600);
				assert.deepEqual(
					engines.flatMap((e) => e.errors),
					[],
				);
			} finally {
				for (const e of engines) await e.engine.close({ graceMs: 0 });
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});

		test("a worker that stops hands what it abandons to another at once, not when its lease expires", async () => {
			const schema = freshSchema();
			const LEASE_MS = 600_000; // far beyond this test's patience: only a release lets the other worker in
			const stuckStore = await openStore({ schema, sharedByWorkers: true, applicationName: `${schema}_a` }, true);
			const stuck = await engineOn(stuckStore, { FLOW: StuckOnOneWorker }, { WORKER: "stuck" }, LEASE_MS);
			const otherStore = await openStore({ schema, sharedByWorkers: true, applicationName: `${schema}_b` }, true);
			let other: Awaited<ReturnType<typeof engineOn>> | null = null;
			try {
				const instance = await stuck.engine.workflow("FLOW").create();
				await until(() => startedStuck.has(instance.id), "the step to start on the stuck worker");
				other = await engineOn(otherStore, { FLOW: StuckOnOneWorker }, { WORKER: "other" }, LEASE_MS);
				await stuck.engine.close({ graceMs: 0 });
				const seen = await other.engine.workflow("FLOW").get(instance.id);
				await until(async () => (await seen.status()).status === "complete", "the other worker to finish it");
				assert.deepEqual(await seen.status(), { status: "complete", output: "done by other" });
				assert.deepEqual(other.errors, []);
			} finally {
				await stuck.engine.close({ graceMs: 0 });
				await other?.engine.close({ graceMs: 0 });
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});
	});
}
