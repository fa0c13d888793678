// `retries.delay` as a function, as Cloudflare's engine runs it (docs/cloudflare-observed.md §2):
// what it returns is the retry's base delay, with the step's backoff applied; `ctx.config` has no
// `delay` key; one that throws, answers too late or answers something that is not a delay fails
// the step with a NonRetryableDelayError (catchable, journaled, the same on every replay).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, type WorkflowBackoff, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

type Answer = "forty-then-ten" | "string" | "async" | "throws" | "invalid" | "never";
interface Params {
	answer: Answer;
	backoff?: WorkflowBackoff;
	/** Catch the step's error and return it, instead of letting the instance fail. */
	catchIt?: boolean;
}

/** What each delay-function call saw, per instance. */
const seen = new Map<string, { ctxConfig: unknown; attempt: number; errorIsTypeError: boolean; message: string }[]>();

class Flaky extends WorkflowEntrypoint<unknown, Params> {
	async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
		const { answer, backoff = "exponential", catchIt } = event.payload;
		const calls = seen.get(event.instanceId) ?? [];
		seen.set(event.instanceId, calls);
		const delay = ({ ctx, error }: { ctx: unknown; error: Error }) => {
			const c = ctx as { attempt: number; config: unknown };
			calls.push({ ctxConfig: c.config, attempt: c.attempt, errorIsTypeError: error instanceof TypeError, message: error.message });
			if (answer === "throws") throw new Error("delay fn exploded");
			if (answer === "invalid") return "soon-ish" as never;
			if (answer === "string") return "0.01 seconds";
			if (answer === "async") return Promise.resolve(15);
			if (answer === "never") return new Promise<number>(() => {});
			return error.message === "fail 1" ? 40 : 10;
		};
		try {
			return await step.do("flaky", { retries: { limit: 2, delay, backoff } }, async (ctx) => {
				if (ctx.attempt < 3) throw new TypeError(`fail ${ctx.attempt}`);
				return ctx.config;
			});
		} catch (e) {
			if (!catchIt) throw e;
			const err = e as Error & { code?: string };
			// The step is settled: a later step still runs.
			const after = await step.do("after", async () => "after");
			return { caught: { name: err.name, message: err.message, code: err.code }, after };
		}
	}
}

/** The waits between attempts, as journaled. */
async function waits(h: Awaited<ReturnType<typeof startEngine>>, id: string): Promise<number[]> {
	return (await h.engine.readJournal({ workflow: "flaky", id }))
		.filter((e) => e.kind === "attempt" && !e.ok && e.retryAt !== undefined)
		.map((e) => (e as { retryAt: number; endedAt: number }).retryAt - (e as { endedAt: number }).endedAt);
}

const CTX_CONFIG = { retries: { limit: 2, backoff: "exponential" }, timeout: "10 minutes" };

test("the function's answer is the retry's base delay: the backoff applies to it; ctx.config has no delay key", async () => {
	const h = await startEngine({ F: { name: "flaky", class: Flaky } });
	try {
		const cases: [string, Params, number[]][] = [
			// exponential: answer · 2^(retry−1)
			["exp", { answer: "forty-then-ten" }, [40, 20]],
			["str", { answer: "string" }, [10, 20]],
			// linear: answer · retry; constant: the answer
			["lin", { answer: "async", backoff: "linear" }, [15, 30]],
			["const", { answer: "forty-then-ten", backoff: "constant" }, [40, 10]],
		];
		for (const [id, params, expected] of cases) {
			const s = await waitTerminal(await h.engine.bindings.F!.create({ id, params }));
			assert.equal(s.status, "complete", id);
			assert.deepEqual(await waits(h, id), expected, id);
		}
		// The body and the function see Cloudflare's ctx.config: no `delay` key at all.
		const exp = await waitTerminal(await h.engine.bindings.F!.get("exp"));
		assert.deepEqual(exp.output, CTX_CONFIG);
		assert.ok(!("delay" in (exp.output as { retries: object }).retries));
		assert.deepEqual(
			seen.get("exp"),
			[
				{ ctxConfig: CTX_CONFIG, attempt: 1, errorIsTypeError: true, message: "fail 1" },
				{ ctxConfig: CTX_CONFIG, attempt: 2, errorIsTypeError: true, message: "fail 2" },
			],
			"called once per failed attempt that will be retried, with the attempt's own error",
		);
		// Operators still see that the delay is computed.
		const d = await h.engine.details({ workflow: "flaky", id: "exp" });
		assert.equal((d.steps[0] as { config: { retries: { delay: unknown } } }).config.retries.delay, "[dynamic]");
	} finally {
		await h.close();
	}
});

test("a delay function that throws or answers a non-delay fails the step at once with a NonRetryableDelayError", async () => {
	const h = await startEngine({ F: { name: "flaky", class: Flaky } });
	try {
		const threw = await waitTerminal(await h.engine.bindings.F!.create({ id: "threw", params: { answer: "throws" } }));
		assert.deepEqual(threw, {
			status: "errored",
			output: null,
			error: { name: "NonRetryableDelayError", message: 'The delay function for step "flaky-1" threw an error: delay fn exploded' },
		});
		const invalid = await waitTerminal(await h.engine.bindings.F!.create({ id: "invalid", params: { answer: "invalid" } }));
		assert.deepEqual(invalid.error, {
			name: "NonRetryableDelayError",
			message: 'The delay function for step "flaky-1" returned an invalid delay value (expected a number of ms or a duration string like "30 seconds")',
		});
		// One attempt, journaled as the step's end: its own error, no retry; the step's error is the delay's.
		const attempts = (await h.engine.readJournal({ workflow: "flaky", id: "threw" })).filter((e) => e.kind === "attempt");
		assert.equal(attempts.length, 1);
		const [only] = attempts as { final: boolean; retryAt?: number; error: { name: string; message: string } }[];
		assert.equal(only?.final, true);
		assert.equal(only?.retryAt, undefined);
		assert.deepEqual([only?.error.name, only?.error.message], ["TypeError", "fail 1"]);
		const d = await h.engine.details({ workflow: "flaky", id: "threw" });
		assert.deepEqual((d.steps[0] as { error: unknown }).error, threw.error);
		// The event history shows the step, as Cloudflare's does (it used to show only workflow_errored).
		const types = new Set(["step_started", "attempt_started", "attempt_errored", "step_errored", "workflow_errored"]);
		const events = [];
		for await (const e of (await h.engine.bindings.F!.get("threw")).subscribe()) if (types.has(e.type)) events.push(e);
		assert.deepEqual(
			events.map((e) => e.type),
			["step_started", "attempt_started", "attempt_errored", "step_errored", "workflow_errored"],
		);
		assert.ok(!("retryDelayMs" in (events[2] as object)), "no retry follows the attempt");
	} finally {
		await h.close();
	}
});

for (const alwaysReplay of [false, true]) {
	test(`the NonRetryableDelayError is thrown into the code, which may catch it, with a stable code${alwaysReplay ? " (always replay)" : ""}`, async () => {
		const h = await startEngine({ F: { name: "flaky", class: Flaky } }, { alwaysReplay });
		try {
			const s = await waitTerminal(await h.engine.bindings.F!.create({ id: `caught-${alwaysReplay}`, params: { answer: "throws", catchIt: true } }));
			assert.deepEqual(s, {
				status: "complete",
				output: {
					caught: {
						name: "NonRetryableDelayError",
						message: 'The delay function for step "flaky-1" threw an error: delay fn exploded',
						code: "step.delay_function_threw",
					},
					after: "after",
				},
			});
			assert.equal(seen.get(`caught-${alwaysReplay}`)?.length, 1, "a replay does not call the delay function again");
		} finally {
			await h.close();
		}
	});
}

test("a delay function's promise must settle within 5 seconds", async () => {
	const clock = new ManualClock();
	const h = await startEngine({ F: { name: "flaky", class: Flaky } }, { clock });
	try {
		const i = await h.engine.bindings.F!.create({ id: "never", params: { answer: "never" } });
		await clock.advance(0);
		assert.equal(seen.get("never")?.length, 1);
		await clock.advance(4_999);
		assert.equal((await i.status()).status, "running");
		await clock.advance(1);
		const s = await waitForStatus(i, "errored");
		assert.deepEqual(s.error, { name: "NonRetryableDelayError", message: 'The delay function for step "flaky-1" did not return within 5 seconds' });
	} finally {
		await h.close();
	}
});
