// The management API: bad input gets a typed error with a stable code and writes nothing;
// lifecycle calls behave as on Cloudflare; a new engine on the same file carries on.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ValidationError, WeftError, WorkflowEntrypoint, type WorkflowEvent, WorkflowFatalError, type WorkflowStep } from "@weft/core";
import { createEngine } from "./create-engine.js";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

class Echo extends WorkflowEntrypoint {
	async run(event: WorkflowEvent, step: WorkflowStep) {
		return step.do("echo", async () => event.payload);
	}
}

const codeOf = (e: unknown) => (e instanceof WeftError ? e.code : `not a WeftError: ${e}`);

describe("management API", () => {
	test("invalid ids, params, batches and events get typed errors, and nothing is written", async () => {
		const h = await startEngine({ ECHO: Echo });
		const echo = h.engine.bindings.ECHO!;
		try {
			for (const id of ["has space", "-dash", "dot.ted", "", "a".repeat(101)]) {
				await assert.rejects(echo.create({ id }), (e) => codeOf(e) === "instance.invalid_id" && (e as Error).name === "WorkflowError");
			}
			await assert.rejects(echo.create({ id: "fn", params: { f: () => 1 } }), (e) => codeOf(e) === "instance.invalid_params");
			await assert.rejects(echo.create({ id: "big", params: "x".repeat(1024 * 1024 + 1) }), (e) => codeOf(e) === "instance.params_too_large");
			await assert.rejects(echo.get("fn"), (e) => codeOf(e) === "instance.not_found" && (e as Error).message === "instance.not_found");
			await assert.rejects(echo.get("big"), (e) => codeOf(e) === "instance.not_found");
			await assert.rejects(echo.createBatch({ instances: Array.from({ length: 101 }, () => ({})) }), (e) => codeOf(e) === "batch.too_large");
			await assert.rejects(echo.createBatch({ instances: [{ id: "ok-1" }, { id: "bad id" }] }), (e) => codeOf(e) === "instance.invalid_id");
			await assert.rejects(echo.get("ok-1"), (e) => codeOf(e) === "instance.not_found", "a rejected batch writes none of its items");
			// @ts-expect-error: a batch must be an object or an array
			await assert.rejects(echo.createBatch("nope"), ValidationError);
			const instance = await echo.create({ id: "ok-2", params: { when: new Date(0) } });
			// @ts-expect-error: the event type must be a string
			await assert.rejects(instance.sendEvent({ type: 42 }), (e) => codeOf(e) === "event.invalid_type");
			await assert.rejects(instance.restart({ from: { name: "never ran" } }), (e) => codeOf(e) === "instance.cannot_restart");
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: { when: "1970-01-01T00:00:00.000Z" } });
			await assert.rejects(echo.create({ id: "ok-2" }), (e) => codeOf(e) === "instance.already_exists");
			await assert.rejects(instance.terminate(), (e) => codeOf(e) === "instance.cannot_terminate");
		} finally {
			await h.close();
		}
	});

	test("workflow names and classes are checked when the engine is created", async () => {
		await assert.rejects(startEngine({ BAD: { name: "not valid!", class: Echo } }), (e) => codeOf(e) === "workflow.invalid_name");
		// @ts-expect-error: not a class
		await assert.rejects(startEngine({ BAD: { name: "ok", class: 42 } }), (e) => codeOf(e) === "workflow.invalid_class");
	});

	test("invalid step configs throw a catchable WorkflowFatalError; an unstorable result ends the instance", async () => {
		const outcomes: string[] = [];
		class Configs extends WorkflowEntrypoint {
			async run(_e: WorkflowEvent, step: WorkflowStep) {
				for (const config of [{ timeout: 0 }, { retries: { limit: 1 } }, { retries: { limit: 1, delay: "soon" } }, { extra: 1 }]) {
					try {
						// @ts-expect-error: deliberately invalid configs
						await step.do(`c${outcomes.length}`, config, async () => 1);
						outcomes.push("accepted");
					} catch (e) {
						outcomes.push(e instanceof WorkflowFatalError ? e.code : String(e));
					}
				}
				try {
					await step.do("unstorable", async () => ({ f: () => 1 }));
				} catch {
					return { caughtTheUncatchable: true };
				}
				return "unreachable";
			}
		}
		const h = await startEngine({ CONFIGS: Configs });
		try {
			const s = await waitTerminal(await h.engine.bindings.CONFIGS!.create());
			assert.equal(s.status, "errored");
			assert.deepEqual(s.error, {
				name: "WorkflowFatalError",
				message: 'The execution of the Workflow instance was terminated, as the step "unstorable" returned a value which is not serialisable',
			});
			assert.equal(s.output, null);
			assert.deepEqual(outcomes, ["step.invalid_config", "step.invalid_config", "step.invalid_config", "step.invalid_config"]);
		} finally {
			await h.close();
		}
	});

	test("terminate during a sleep, restart from a step, pause while a step is in flight", async () => {
		let release: () => void = () => {};
		const released = new Promise<void>((r) => (release = r));
		let slowRuns = 0;
		class Life extends WorkflowEntrypoint<unknown, { mode: string }> {
			async run(e: WorkflowEvent<{ mode: string }>, step: WorkflowStep) {
				const one = await step.do("one", async () => crypto.randomUUID());
				if (e.payload.mode === "sleep") await step.sleep("long", "1 hour");
				if (e.payload.mode === "slow")
					await step.do("slow", async () => {
						slowRuns++;
						await released;
					});
				const two = await step.do("two", async () => crypto.randomUUID());
				return { one, two };
			}
		}
		const h = await startEngine({ LIFE: Life });
		const life = h.engine.bindings.LIFE!;
		try {
			const sleeper = await life.create({ params: { mode: "sleep" } });
			await waitForStatus(sleeper, "waiting");
			await sleeper.terminate();
			assert.deepEqual(await sleeper.status(), { status: "terminated", output: null });
			const timeline = (await sleeper.details()).steps.map((s) => s.type);
			assert.deepEqual(timeline, ["step", "sleep", "termination"]);

			const quick = await life.create({ params: { mode: "none" } });
			const first = (await waitTerminal(quick)).output as { one: string; two: string };
			await quick.restart({ from: { name: "two" } });
			const second = (await waitForStatus(quick, (s) => s.status === "complete" && (s.output as { two: string }).two !== first.two)).output as { one: string };
			assert.equal(second.one, first.one, "steps before the restart point keep their results");

			const slow = await life.create({ params: { mode: "slow" } });
			await waitForStatus(slow, "running");
			while (slowRuns === 0) await new Promise((r) => setTimeout(r, 5));
			await slow.pause();
			assert.equal((await slow.status()).status, "waitingForPause");
			release();
			await waitForStatus(slow, "paused");
			await slow.resume();
			assert.equal((await waitTerminal(slow)).status, "complete");
			assert.equal(slowRuns, 1, "the step in flight at the pause is not run again");
		} finally {
			release();
			await h.close();
		}
	});

	test("a restart waits for new events: the ones the old run took are gone, one nobody took is still there", async () => {
		class Approval extends WorkflowEntrypoint {
			async run(_e: WorkflowEvent, step: WorkflowStep) {
				const first = await step.waitForEvent<{ n: number }>("first", { type: "go" });
				const mark = await step.do("mark", async () => first.payload.n);
				const second = await step.waitForEvent<{ n: number }>("second", { type: "go" });
				return [mark, second.payload.n];
			}
		}
		const h = await startEngine({ APPROVAL: Approval });
		const approval = h.engine.bindings.APPROVAL!;
		try {
			// Observed on Cloudflare's local engine (docs/cloudflare-observed.md): after restart() the
			// run waits for a new event rather than taking the one it consumed before.
			const instance = await approval.create();
			await instance.sendEvent({ type: "go", payload: { n: 1 } });
			await instance.sendEvent({ type: "go", payload: { n: 2 } });
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: [1, 2] });

			await instance.restart();
			await waitForStatus(instance, "waiting");
			await instance.sendEvent({ type: "go", payload: { n: 3 } });
			await instance.sendEvent({ type: "go", payload: { n: 4 } });
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: [3, 4] });

			// From "mark": the first wait is kept with its event, the second waits for a new one.
			await instance.restart({ from: { name: "mark" } });
			await waitForStatus(instance, "waiting");
			await instance.sendEvent({ type: "go", payload: { n: 5 } });
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: [3, 5] });
			await instance.restart({ from: { name: "second", type: "waitForEvent" } });
			await waitForStatus(instance, "waiting");
			await instance.pause();
			await waitForStatus(instance, "paused");
			await instance.sendEvent({ type: "go", payload: { n: 6 } }); // buffered: a paused instance takes nothing
			await instance.restart({ from: { name: "second", type: "waitForEvent" } });
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: [3, 6] }, "the unconsumed event is buffered for the new run");
		} finally {
			await h.close();
		}
	});

	test("a new engine on the same file carries on where the last one stopped", async () => {
		let bodies = 0;
		class TwoHalves extends WorkflowEntrypoint {
			async run(_e: WorkflowEvent, step: WorkflowStep) {
				const a = await step.do("first half", async () => ++bodies);
				await step.sleep("between", 300);
				const b = await step.do("second half", async () => ++bodies);
				return [a, b];
			}
		}
		const h = await startEngine({ HALVES: TwoHalves });
		const database = join(h.dir, "test.db");
		const instance = await h.engine.bindings.HALVES!.create({ id: "carry-on" });
		await waitForStatus(instance, "waiting");
		await h.engine.close();
		const again = await createEngine({ database, workflows: { HALVES: TwoHalves } });
		try {
			const s = await waitTerminal(await again.bindings.HALVES!.get("carry-on"));
			assert.deepEqual(s, { status: "complete", output: [1, 2] });
			assert.equal(bodies, 2);
		} finally {
			await again.close();
			await h.close();
		}
	});
});

test("bindings are typed from the workflows option", async () => {
	class Typed extends WorkflowEntrypoint<unknown, { n: number }> {
		async run(event: WorkflowEvent<{ n: number }>, step: WorkflowStep) {
			return step.do("double", async () => event.payload.n * 2);
		}
	}
	const engine = await createEngine({ database: ":memory:", workflows: { TYPED: { name: "typed", class: Typed } } });
	try {
		const instance = await engine.bindings.TYPED.create({ params: { n: 4 } });
		// @ts-expect-error: params must match the workflow's Params type
		await assert.rejects(engine.bindings.TYPED.create({ id: "bad id", params: { n: "four" } }), (e) => codeOf(e) === "instance.invalid_id");
		assert.deepEqual(await waitTerminal(instance), { status: "complete", output: 8 });
	} finally {
		await engine.close();
	}
});

test("a step result over 1 MiB ends the instance with a clear error naming the step", async () => {
	class Big extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			try {
				await step.do("too big", async () => "x".repeat(1024 * 1024 + 1));
			} catch {
				return "caught";
			}
			return "stored";
		}
	}
	const h = await startEngine({ BIG: Big });
	try {
		const s = await waitTerminal(await h.engine.bindings.BIG!.create());
		assert.equal(s.status, "errored");
		assert.equal(s.error?.name, "WorkflowFatalError");
		assert.match(s.error?.message ?? "", /"too big" returned \d+ bytes; a step result may take at most 1 MiB/);
	} finally {
		await h.close();
	}
});

test("a step body's ctx.signal aborts when its attempt times out or the instance is terminated", async () => {
	const reasons: string[] = [];
	let bodies = 0;
	class Signals extends WorkflowEntrypoint<unknown, { mode: string }> {
		async run(e: WorkflowEvent<{ mode: string }>, step: WorkflowStep) {
			const timeout = e.payload.mode === "timeout" ? 50 : "1 hour";
			return step.do("waits for its signal", { retries: { limit: 0, delay: 0 }, timeout }, async (ctx) => {
				bodies++;
				await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
				reasons.push((ctx.signal.reason as Error).name);
				return Object.keys(ctx).sort();
			});
		}
	}
	const h = await startEngine({ SIGNALS: Signals });
	try {
		const timedOut = await h.engine.bindings.SIGNALS!.create({ params: { mode: "timeout" } });
		assert.equal((await waitTerminal(timedOut)).error?.name, "WorkflowTimeoutError");
		const terminated = await h.engine.bindings.SIGNALS!.create({ params: { mode: "terminate" } });
		while (bodies < 2) await new Promise((r) => setTimeout(r, 5));
		await terminated.terminate();
		while (reasons.length < 2) await new Promise((r) => setTimeout(r, 5));
		assert.deepEqual(reasons, ["WorkflowTimeoutError", "LeaseLostError"]);
	} finally {
		await h.close();
	}
});
