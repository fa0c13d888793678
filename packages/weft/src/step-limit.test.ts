// `limits.steps`, as Cloudflare's engine applies it (docs/cloudflare-observed.md §3): only step.do
// calls count (sleeps and waitForEvent do not); the one past the limit throws a WorkflowFatalError
// into the code, which may catch it; uncaught, it is the instance's error. Replays count the same
// calls, so the outcome is the same on every replay.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WeftError, WorkflowEntrypoint, type WorkflowEvent, WorkflowFatalError, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

interface Params {
	sleeps?: number;
	waits?: number;
	steps: number;
	catchIt?: boolean;
}

class Limited extends WorkflowEntrypoint<unknown, Params> {
	async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
		const p = event.payload;
		for (let i = 0; i < (p.sleeps ?? 0); i++) await step.sleep(`nap ${i}`, 0);
		for (let i = 0; i < (p.waits ?? 0); i++) await step.waitForEvent(`wait ${i}`, { type: "x", timeout: "1 hour" });
		const out: unknown[] = [];
		for (let i = 0; i < p.steps; i++) {
			try {
				out.push(await step.do(`s${i}`, async () => i));
			} catch (e) {
				if (!p.catchIt) throw e;
				const err = e as WorkflowFatalError;
				out.push({ name: err.name, message: err.message, code: err.code, fatal: err instanceof WorkflowFatalError });
			}
		}
		return out;
	}
}

const LIMIT_MESSAGE = "The limit of 3 steps has been reached. This limit can be changed in your worker configuration.";

test("limits.steps counts step.do calls only: sleeps and waits do not count", async () => {
	const h = await startEngine({ L: { name: "limited", class: Limited, limits: { steps: 3 } } });
	try {
		const i = await h.engine.bindings.L!.create({ id: "mixed", params: { sleeps: 3, waits: 3, steps: 3 } });
		for (let n = 0; n < 3; n++) await i.sendEvent({ type: "x", payload: n });
		assert.deepEqual(await waitTerminal(i), { status: "complete", output: [0, 1, 2] });
		// Each run counts its own calls: a restart from a step does not add to the first run's.
		const r = await h.engine.bindings.L!.create({ id: "restarted", params: { steps: 3 } });
		await waitTerminal(r);
		await r.restart({ from: { name: "s2" } });
		assert.deepEqual(await waitTerminal(r), { status: "complete", output: [0, 1, 2] });
	} finally {
		await h.close();
	}
});

test("the step.do past the limit fails the instance with Cloudflare's WorkflowFatalError when nothing catches it", async () => {
	const h = await startEngine({ L: { name: "limited", class: Limited, limits: { steps: 3 } } });
	try {
		const s = await waitTerminal(await h.engine.bindings.L!.create({ params: { steps: 4 } }));
		assert.deepEqual(s, { status: "errored", output: null, error: { name: "WorkflowFatalError", message: LIMIT_MESSAGE } });
	} finally {
		await h.close();
	}
	await assert.rejects(
		startEngine({ L: { name: "limited", class: Limited, limits: { steps: 30_000 } } }),
		(e) => e instanceof WeftError && e.code === "workflow.invalid_limits",
	);
});

for (const alwaysReplay of [false, true]) {
	test(`the code may catch the limit error, at every step.do past the limit${alwaysReplay ? " (always replay)" : ""}`, async () => {
		const h = await startEngine({ L: { name: "limited", class: Limited, limits: { steps: 3 } } }, { alwaysReplay });
		try {
			const s = await waitTerminal(await h.engine.bindings.L!.create({ params: { steps: 5, catchIt: true } }));
			const over = { name: "WorkflowFatalError", message: LIMIT_MESSAGE, code: "instance.step_limit", fatal: true };
			assert.deepEqual(s, { status: "complete", output: [0, 1, 2, over, over] });
		} finally {
			await h.close();
		}
	});
}
