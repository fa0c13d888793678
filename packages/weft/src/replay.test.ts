// Replay: committed steps are answered from the journal, never run again; cached errors are
// re-thrown; code outside steps re-runs. Every test runs straight through and in always-replay
// mode (a fresh activation from the database after every step).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

for (const alwaysReplay of [false, true]) {
	describe(`replay (${alwaysReplay ? "always replay" : "straight through"})`, () => {
		test("a committed step body never runs again, even across suspensions", async () => {
			const runs = new Map<string, number>();
			const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);
			let outsideSteps = 0;
			class Counting extends WorkflowEntrypoint {
				async run(_event: WorkflowEvent, step: WorkflowStep) {
					outsideSteps++;
					const a = await step.do("a", async () => {
						count("a");
						return { n: 1, at: new Date(0) };
					});
					await step.sleep("nap", 30);
					const b = await step.do("b", async () => {
						count("b");
						return a.n + 1;
					});
					await step.sleep("nap", 30);
					return { a, b, aIsDate: a.at instanceof Date };
				}
			}
			const h = await startEngine({ COUNTING: Counting }, { alwaysReplay });
			try {
				const instance = await h.engine.bindings.COUNTING!.create();
				const s = await waitTerminal(instance);
				assert.equal(s.status, "complete");
				assert.deepEqual(s.output, { a: { n: 1, at: "1970-01-01T00:00:00.000Z" }, b: 2, aIsDate: true });
				assert.deepEqual(Object.fromEntries(runs), { a: 1, b: 1 });
				assert.ok(outsideSteps >= 3, `code outside steps re-runs on each activation (ran ${outsideSteps} times)`);
			} finally {
				await h.close();
			}
		});

		test("a caught step error is re-thrown from the journal on replay, identically", async () => {
			let bodyRuns = 0;
			class Caught extends WorkflowEntrypoint {
				async run(_event: WorkflowEvent, step: WorkflowStep) {
					let caught: unknown;
					try {
						await step.do("fails", { retries: { limit: 0, delay: 0 } }, async () => {
							bodyRuns++;
							const e = new Error("no luck");
							e.name = "LuckError";
							throw e;
						});
					} catch (e) {
						caught = { name: (e as Error).name, message: (e as Error).message };
					}
					await step.sleep("then wait", 20);
					return caught;
				}
			}
			const h = await startEngine({ CAUGHT: Caught }, { alwaysReplay });
			try {
				const s = await waitTerminal(await h.engine.bindings.CAUGHT!.create());
				assert.deepEqual(s, { status: "complete", output: { name: "LuckError", message: "no luck" } });
				assert.equal(bodyRuns, 1);
			} finally {
				await h.close();
			}
		});

		test("the n-th use of a name is its own step; Promise.all runs steps concurrently", async () => {
			let inFlight = 0;
			let maxInFlight = 0;
			class Fan extends WorkflowEntrypoint {
				async run(_event: WorkflowEvent, step: WorkflowStep) {
					const ticks: number[] = [];
					for (let i = 0; i < 3; i++) ticks.push(await step.do("tick", async (ctx) => ctx.step.count * 10));
					const parallel = await Promise.all(
						["x", "y", "z"].map((name) =>
							step.do(name, async () => {
								inFlight++;
								maxInFlight = Math.max(maxInFlight, inFlight);
								await new Promise((r) => setTimeout(r, 30));
								inFlight--;
								return name.toUpperCase();
							}),
						),
					);
					return { ticks, parallel };
				}
			}
			const h = await startEngine({ FAN: Fan }, { alwaysReplay });
			try {
				const s = await waitTerminal(await h.engine.bindings.FAN!.create());
				assert.deepEqual(s.output, { ticks: [10, 20, 30], parallel: ["X", "Y", "Z"] });
				assert.equal(maxInFlight, 3, "the three steps overlapped");
			} finally {
				await h.close();
			}
		});

		test("a workflow starts another through its env binding", async () => {
			class Child extends WorkflowEntrypoint<unknown, { n: number }> {
				async run(event: WorkflowEvent<{ n: number }>, step: WorkflowStep) {
					return step.do("double", async () => event.payload.n * 2);
				}
			}
			class Parent extends WorkflowEntrypoint<{ CHILD: { create(o: object): Promise<{ id: string }> } }> {
				async run(event: WorkflowEvent, step: WorkflowStep) {
					return step.do("start child", async () => (await this.env.CHILD.create({ id: `${event.instanceId}-child`, params: { n: 21 } })).id);
				}
			}
			const h = await startEngine({ PARENT: { name: "parent", class: Parent }, CHILD: { name: "child", class: Child } }, { alwaysReplay });
			try {
				const parent = await h.engine.bindings.PARENT!.create({ id: "p1" });
				assert.deepEqual(await waitTerminal(parent), { status: "complete", output: "p1-child" });
				const child = await h.engine.bindings.CHILD!.get("p1-child");
				assert.deepEqual(await waitTerminal(child), { status: "complete", output: 42 });
			} finally {
				await h.close();
			}
		});
	});
}
