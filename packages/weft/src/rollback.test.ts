// Rollback (saga) handlers: run in reverse order of the steps' start when an instance fails, each
// through the retry machinery; the chain stops at the first failure; status().rollback reports
// it; the chain is journaled, so one interrupted resumes without running a finished handler again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowInstance, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

type Params = { failHandler?: string; flakyHandler?: string };
const undone: string[] = [];
const handlerAttempts = new Map<string, number>();

const handler = (name: string, failHandler?: string, flakyHandler?: string) => ({
	rollback: async ({ output, error }: { output: unknown; error: Error }) => {
		handlerAttempts.set(name, (handlerAttempts.get(name) ?? 0) + 1);
		if (name === failHandler) throw new NonRetryableError(`cannot undo ${name}`);
		if (name === flakyHandler && handlerAttempts.get(name) === 1) throw new Error(`${name} busy`);
		undone.push(`${name}:${JSON.stringify(output ?? null)}:${error.message}`);
	},
	rollbackConfig: { retries: { limit: 2, delay: 200, backoff: "constant" as const }, timeout: "1 minute" as const },
});

class Trip extends WorkflowEntrypoint<unknown, Params> {
	async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
		const { failHandler, flakyHandler } = event.payload;
		const flight = await step.do("book flight", async () => "FL-1", handler("flight", failHandler, flakyHandler));
		await step.do("note", async () => "no handler here");
		const hotel = await step.do("book hotel", async () => "HT-2", handler("hotel", failHandler, flakyHandler));
		await step.do(
			"charge card",
			{ retries: { limit: 0, delay: 0 } },
			async () => {
				throw new Error("card declined");
			},
			handler("card", failHandler, flakyHandler),
		);
		return { flight, hotel };
	}
}

for (const alwaysReplay of [false, true]) {
	describe(`rollback${alwaysReplay ? " (always replay)" : ""}`, () => {
		test("a failure runs the registered handlers, last started first, the failed step included without output", async () => {
			undone.length = 0;
			handlerAttempts.clear();
			const h = await startEngine({ TRIP: { name: "trip", class: Trip } }, { alwaysReplay });
			try {
				const i = await h.engine.bindings.TRIP!.create({ params: {} });
				const s = await waitTerminal(i);
				assert.equal(s.status, "errored");
				assert.equal(s.error?.message, "card declined");
				assert.deepEqual(s.rollback, { outcome: "complete", error: null });
				assert.deepEqual(undone, ["card:null:card declined", 'hotel:"HT-2":card declined', 'flight:"FL-1":card declined']);
			} finally {
				await h.close();
			}
		});

		test("the chain stops at the first handler that fails", async () => {
			undone.length = 0;
			handlerAttempts.clear();
			const h = await startEngine({ TRIP: { name: "trip", class: Trip } }, { alwaysReplay });
			try {
				const i = await h.engine.bindings.TRIP!.create({ params: { failHandler: "hotel" } });
				const s = await waitTerminal(i);
				assert.equal(s.status, "errored");
				assert.deepEqual(s.rollback, { outcome: "failed", error: { name: "NonRetryableError", message: "cannot undo hotel" } });
				assert.deepEqual(undone, ["card:null:card declined"], "the flight is not undone once the hotel's undo failed");
				assert.equal(handlerAttempts.get("hotel"), 1, "a NonRetryableError stops the handler's retries");
			} finally {
				await h.close();
			}
		});
	});
}

/** What each handler call got, in call order. */
const calls: { label: string; ctx: Record<string, unknown>; stepName: string; error: Error; output: unknown }[] = [];

const recorded = (label: string) => ({
	rollback: async (args: { ctx: unknown; stepName: string; error: Error; output: unknown }) => {
		calls.push({ label, ctx: args.ctx as Record<string, unknown>, stepName: args.stepName, error: args.error, output: args.output });
		if (label === "reserve" && calls.filter((c) => c.label === "reserve").length === 1) throw new Error("reserve busy");
	},
	// No wait between attempts: both run in one activation, so they can get the very same ctx.
	rollbackConfig: { retries: { limit: 1, delay: 0 }, timeout: "1 minute" as const },
});

class Checkout extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		await step.do("reserve", async () => "R-1", recorded("reserve"));
		await step.do(
			"charge",
			{ retries: { limit: 1, delay: () => 5, backoff: "constant" } },
			async () => {
				throw new Error("card declined");
			},
			recorded("charge"),
		);
	}
}

for (const alwaysReplay of [false, true]) {
	test(`a handler gets its step's own ctx (last attempt, config), frozen and the same for every retry, and stepName "<name>-<count>"${alwaysReplay ? " (always replay)" : ""}`, async () => {
		calls.length = 0;
		const h = await startEngine({ C: { name: "checkout", class: Checkout } }, { alwaysReplay });
		try {
			const s = await waitTerminal(await h.engine.bindings.C!.create({ params: {} }));
			assert.equal(s.status, "errored");
			assert.deepEqual(s.rollback, { outcome: "complete", error: null });
			assert.deepEqual(
				calls.map((c) => [c.label, c.stepName, c.error.message, c.output]),
				[
					["charge", "charge-1", "card declined", undefined],
					["reserve", "reserve-1", "card declined", "R-1"],
					["reserve", "reserve-1", "card declined", "R-1"],
				],
			);
			const [charge, reserve1, reserve2] = calls;
			// The failed step ran 2 attempts; its delay function is not shown (Cloudflare's ctx.config has no delay then).
			assert.deepEqual(charge?.ctx, {
				step: { name: "charge", count: 1 },
				attempt: 2,
				config: { retries: { limit: 1, backoff: "constant" }, timeout: "10 minutes" },
			});
			// Not the handler's own attempt number or rollbackConfig: the step's.
			assert.deepEqual(reserve1?.ctx, {
				step: { name: "reserve", count: 1 },
				attempt: 1,
				config: { retries: { limit: 5, delay: 10_000, backoff: "exponential" }, timeout: "10 minutes" },
			});
			assert.equal(reserve2?.ctx, reserve1?.ctx, "the handler's retry gets the same ctx object");
			assert.ok(Object.isFrozen(reserve1?.ctx) && Object.isFrozen(reserve1?.ctx.config) && Object.isFrozen(reserve1?.ctx.step));
			assert.ok((reserve1?.ctx as { signal?: unknown } | undefined)?.signal instanceof AbortSignal, "Weft's signal is still there, not enumerable");
		} finally {
			await h.close();
		}
	});
}

test("a chain interrupted by a crash resumes where it stopped and never runs a finished handler again", async () => {
	undone.length = 0;
	handlerAttempts.clear();
	const first = await startEngine({ TRIP: { name: "trip", class: Trip } });
	// The hotel's handler fails its first attempt: the chain waits 200 ms for the retry, and the process dies meanwhile.
	const i = await first.engine.bindings.TRIP!.create({ id: "t", params: { flakyHandler: "hotel" } });
	await waitForStatus(i, "waiting");
	assert.deepEqual(undone, ["card:null:card declined"]);
	// Cloudflare's REST view says what is going on; status() says waiting, as its Workers API would.
	assert.equal((await first.engine.details({ workflow: "trip", id: "t" })).status, "rollingBack");
	await first.engine.close({ graceMs: 0 });

	const second = await startEngine({ TRIP: { name: "trip", class: Trip } }, { database: first.database });
	try {
		const s = await waitTerminal(await second.engine.bindings.TRIP!.get("t"));
		assert.deepEqual(s.rollback, { outcome: "complete", error: null });
		assert.deepEqual(undone, ["card:null:card declined", 'hotel:"HT-2":card declined', 'flight:"FL-1":card declined']);
		assert.equal(handlerAttempts.get("card"), 1, "the card's handler, finished before the crash, did not run again");
		assert.equal(handlerAttempts.get("hotel"), 2);
		const d = await second.engine.details({ workflow: "trip", id: "t" });
		assert.deepEqual(
			d.rollbacks.map((x) => [x.type, x.name, x.success]),
			[
				["rollback", "charge card", true],
				["rollback", "book hotel", true],
				["rollback", "book flight", true],
			],
		);
	} finally {
		await second.close();
		await first.close();
	}
});

test("a rollback option that is not a function fails the step with a clear error", async () => {
	class Bad extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			return step.do("x", async () => 1, { rollback: "undo" } as never);
		}
	}
	const h = await startEngine({ BAD: { name: "bad", class: Bad } });
	try {
		const s = await waitTerminal(await h.engine.bindings.BAD!.create());
		assert.equal(s.status, "errored");
		assert.match(s.error?.message ?? "", /the last argument of step.do must be \{ rollback: async/);
	} finally {
		await h.close();
	}
});

/** Until the instance waits for an event (not merely `waiting` between two steps, as it may in always-replay mode). */
async function waitForWait(instance: WorkflowInstance): Promise<void> {
	await waitForStatus(instance, "waiting");
	for (let i = 0; !(await instance.details()).steps.some((s) => s.type === "waitForEvent"); i++) {
		if (i > 1000) throw new Error("the instance never waited for its event");
		await new Promise((r) => setTimeout(r, 5));
	}
}

class Holiday extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		await step.do("book flight", async () => "FL-9", handler("flight"));
		await step.do("book hotel", async () => "HT-9", handler("hotel"));
		await step.waitForEvent("confirm", { type: "confirm", timeout: "1 hour" });
		await step.do("pay", async () => "paid", handler("pay"));
	}
}

class Waiter extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		await step.waitForEvent("first", { type: "go", timeout: "1 hour" });
		await step.do("later", async () => 1, handler("later"));
	}
}

for (const alwaysReplay of [false, true]) {
	test(`terminate({ rollback: true }) runs the handlers of the steps so far, then terminates${alwaysReplay ? " (always replay)" : ""}`, async () => {
		undone.length = 0;
		handlerAttempts.clear();
		const h = await startEngine({ HOLIDAY: { name: "holiday", class: Holiday }, WAITER: { name: "waiter", class: Waiter } }, { alwaysReplay });
		try {
			const i = await h.engine.bindings.HOLIDAY!.create({ id: "h" });
			// Waiting for "confirm", both bookings made: in always-replay mode the instance also shows
			// `waiting` for an instant between steps, before "book hotel" has run.
			await waitForWait(i);
			await i.terminate({ rollback: true });
			// As on Cloudflare's local engine (docs/cloudflare-observed.md): terminate() resolves once the chain has run.
			const s = await i.status();
			assert.equal(s.status, "terminated");
			assert.deepEqual(s.rollback, { outcome: "complete", error: null });
			// Cloudflare's handlers get a plain Error "Instance terminated during rollback".
			assert.deepEqual(undone, ['hotel:"HT-9":Instance terminated during rollback', 'flight:"FL-9":Instance terminated during rollback']);
			assert.equal(handlerAttempts.get("pay"), undefined, "a step never reached is not rolled back");
			await assert.rejects(i.terminate({ rollback: true }), /Cannot terminate instance since its on a finite state/);

			// Nothing registered a handler before the point it stopped at: it is simply terminated.
			const w = await h.engine.bindings.WAITER!.create({ id: "w" });
			await waitForWait(w);
			await w.terminate({ rollback: true });
			const t = await waitForStatus(w, "terminated");
			assert.equal(t.rollback, undefined);
			assert.equal(handlerAttempts.get("later"), undefined);
		} finally {
			await h.close();
		}
	});
}
