// Time, on a manual clock: exact retry backoff, sleeps that never wake early, pauses that push
// pending timers back by their length, event timeouts. Runs straight through and always-replay.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, turns } from "./engine-harness.js";

const SECOND = 1000;

for (const alwaysReplay of [false, true]) {
	describe(`timers on a manual clock (${alwaysReplay ? "always replay" : "straight through"})`, () => {
		test("retries wait d, d·2, d·4 (exponential) before attempts 2, 3, 4", async () => {
			const clock = new ManualClock();
			const t0 = clock.now();
			const attemptsAt: number[] = [];
			class Flaky extends WorkflowEntrypoint {
				async run(_e: WorkflowEvent, step: WorkflowStep) {
					return step.do("flaky", { retries: { limit: 5, delay: "1 second" } }, async (ctx) => {
						attemptsAt.push(clock.now() - t0);
						if (ctx.attempt < 4) throw new Error(`attempt ${ctx.attempt} fails`);
						return ctx.attempt;
					});
				}
			}
			const h = await startEngine({ FLAKY: Flaky }, { clock, alwaysReplay });
			try {
				const instance = await h.engine.bindings.FLAKY!.create();
				await turns();
				assert.deepEqual(attemptsAt, [0]);
				assert.equal((await instance.status()).status, "waiting", "a retry wait does not hold a slot");
				await clock.advance(999);
				assert.deepEqual(attemptsAt, [0], "never early");
				await clock.advance(1);
				await clock.advance(2 * SECOND);
				await clock.advance(4 * SECOND);
				await turns();
				assert.deepEqual(attemptsAt, [0, 1000, 3000, 7000]);
				assert.deepEqual(await instance.status(), { status: "complete", output: 4 });
				const [step] = (await instance.details()).steps;
				assert.equal(step?.type === "step" && step.attempts.length, 4);
			} finally {
				await h.close();
			}
		});

		test("linear and constant backoff follow d·k and d", async () => {
			const clock = new ManualClock();
			const t0 = clock.now();
			const seen: Record<string, number[]> = { linear: [], constant: [] };
			class Backoff extends WorkflowEntrypoint<unknown, { backoff: "linear" | "constant" }> {
				async run(e: WorkflowEvent<{ backoff: "linear" | "constant" }>, step: WorkflowStep) {
					return step.do("b", { retries: { limit: 3, delay: 100, backoff: e.payload.backoff } }, async (ctx) => {
						seen[e.payload.backoff]!.push(clock.now() - t0);
						if (ctx.attempt < 4) throw new Error("again");
						return "done";
					});
				}
			}
			const h = await startEngine({ BACKOFF: Backoff }, { clock, alwaysReplay });
			try {
				await h.engine.bindings.BACKOFF!.create({ params: { backoff: "linear" } });
				await h.engine.bindings.BACKOFF!.create({ params: { backoff: "constant" } });
				for (let i = 0; i < 12; i++) await clock.advance(50);
				await turns();
				assert.deepEqual(seen.linear, [0, 100, 300, 600]);
				assert.deepEqual(seen.constant, [0, 100, 200, 300]);
			} finally {
				await h.close();
			}
		});

		test("a pause during a sleep pushes the wake-up back by the paused time", async () => {
			const clock = new ManualClock();
			const t0 = clock.now();
			let wokeAt = -1;
			class Sleeper extends WorkflowEntrypoint {
				async run(_e: WorkflowEvent, step: WorkflowStep) {
					await step.sleep("ten seconds", "10 seconds");
					wokeAt = await step.do("after", async () => clock.now() - t0);
					return wokeAt;
				}
			}
			const h = await startEngine({ SLEEPER: Sleeper }, { clock, alwaysReplay });
			try {
				const instance = await h.engine.bindings.SLEEPER!.create();
				await turns();
				assert.equal((await instance.status()).status, "waiting");
				await clock.advance(2 * SECOND);
				await instance.pause();
				assert.equal((await instance.status()).status, "paused");
				await clock.advance(100 * SECOND);
				assert.equal((await instance.status()).status, "paused", "a paused instance does not wake");
				await instance.resume();
				await clock.advance(8 * SECOND - 1);
				assert.equal(wokeAt, -1, "8 s of sleep remain after the pause");
				await clock.advance(1);
				await turns();
				assert.deepEqual(await instance.status(), { status: "complete", output: 110 * SECOND });
			} finally {
				await h.close();
			}
		});

		test("sleepUntil wakes at its time; waitForEvent defaults to a 24 hour timeout that can be caught", async () => {
			const clock = new ManualClock();
			const t0 = clock.now();
			class Waits extends WorkflowEntrypoint {
				async run(_e: WorkflowEvent, step: WorkflowStep) {
					await step.sleepUntil("until", new Date(t0 + 5000));
					const woke = await step.do("woke", async () => clock.now() - t0);
					try {
						await step.waitForEvent("never", { type: "never" });
						return { woke, timedOut: false };
					} catch (e) {
						return { woke, timedOut: (e as Error).name, after: await step.do("after", async () => clock.now() - t0) };
					}
				}
			}
			const h = await startEngine({ WAITS: Waits }, { clock, alwaysReplay });
			try {
				const instance = await h.engine.bindings.WAITS!.create();
				await clock.advance(5000);
				await clock.advance(24 * 3600 * SECOND - 1);
				assert.equal((await instance.status()).status, "waiting");
				await clock.advance(1);
				await turns();
				assert.deepEqual(await instance.status(), {
					status: "complete",
					output: { woke: 5000, timedOut: "WorkflowTimeoutError", after: 5000 + 24 * 3600 * SECOND },
				});
			} finally {
				await h.close();
			}
		});

		test("events sent early are buffered and delivered first in, first out, per type", async () => {
			const clock = new ManualClock();
			class Events extends WorkflowEntrypoint {
				async run(_e: WorkflowEvent, step: WorkflowStep) {
					await step.sleep("let them arrive", 1000);
					const a = await step.waitForEvent("first", { type: "item" });
					const b = await step.waitForEvent("second", { type: "item" });
					const c = await step.waitForEvent("other", { type: "other", timeout: "1 minute" });
					return [a.payload, b.payload, c.payload, c.timestamp instanceof Date];
				}
			}
			const h = await startEngine({ EVENTS: Events }, { clock, alwaysReplay });
			try {
				const instance = await h.engine.bindings.EVENTS!.create();
				await instance.sendEvent({ type: "item", payload: 1 });
				await instance.sendEvent({ type: "other", payload: 99 });
				await instance.sendEvent({ type: "item", payload: 2 });
				await clock.advance(1000);
				await turns();
				assert.deepEqual(await instance.status(), { status: "complete", output: [1, 2, 99, true] });
			} finally {
				await h.close();
			}
		});
	});
}
