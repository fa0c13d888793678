// The test kit, used as a Cloudflare user would use `cloudflare:test`: mocks installed before an
// instance is created, a virtual clock, and the introspectors' waits.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { createTestEngine, introspectWorkflow, introspectWorkflowInstance } from "./index.js";

let chargeRuns = 0;
class Checkout extends WorkflowEntrypoint<unknown, { order: string }> {
	async run(event: WorkflowEvent<{ order: string }>, step: WorkflowStep) {
		const price = await step.do("price", async () => ({ cents: 1200, at: new Date(0) }));
		await step.sleep("cooling off", "7 days");
		const charge = await step.do("charge", { retries: { limit: 3, delay: "1 hour" } }, async () => {
			chargeRuns++;
			return `charged ${price.cents}`;
		});
		const approval = await step.waitForEvent<{ by: string }>("approval", { type: "approved", timeout: "1 day" });
		return { order: event.payload.order, charge, by: approval.payload.by, priceAt: price.at };
	}
}

test("mocks: a step result, sleeps and retry delays disabled, an event delivered", async () => {
	const { engine, close } = await createTestEngine({ workflows: { CHECKOUT: { name: "checkout", class: Checkout } } });
	try {
		await using instance = await introspectWorkflowInstance(engine.bindings.CHECKOUT, "c-1");
		await instance.modify((m) => {
			m.disableSleeps();
			m.disableRetryDelays();
			m.mockStepError({ name: "charge" }, new Error("card declined"), 2);
			m.mockEvent({ type: "approved", payload: { by: "ada" } });
		});
		chargeRuns = 0;
		await engine.bindings.CHECKOUT.create({ id: "c-1", params: { order: "o-1" } });
		assert.deepEqual(await instance.waitForStepResult({ name: "price" }), { cents: 1200, at: new Date(0) });
		await instance.waitForStatus("complete");
		const output = (await instance.getOutput()) as { charge: string; by: string; priceAt: Date };
		assert.equal(output.charge, "charged 1200");
		assert.equal(output.by, "ada");
		assert.ok(output.priceAt instanceof Date, "getOutput keeps structured-clone types");
		assert.equal(chargeRuns, 1, "two mocked failures, then the real body once");
		await assert.rejects(instance.getError(), (e) => (e as { code?: string }).code === "testing.not_errored");
	} finally {
		await close();
	}
});

test("mocks: a forced step timeout and a forced event timeout end the instance as they would for real", async () => {
	const { engine, close } = await createTestEngine({ workflows: { CHECKOUT: { name: "checkout", class: Checkout } } });
	try {
		const timeout = await introspectWorkflowInstance(engine.bindings.CHECKOUT, "t-1");
		await timeout.modify((m) => {
			m.disableSleeps();
			m.disableRetryDelays();
			m.forceStepTimeout({ name: "charge" });
		});
		await engine.bindings.CHECKOUT.create({ id: "t-1", params: { order: "o-2" } });
		await assert.rejects(timeout.waitForStatus("complete"), (e) => (e as { code?: string }).code === "testing.unreachable_status");
		assert.equal((await timeout.getError()).name, "WorkflowTimeoutError");

		const noEvent = await introspectWorkflowInstance(engine.bindings.CHECKOUT, "t-2");
		await noEvent.modify((m) => {
			m.disableSleeps();
			m.mockStepResult({ name: "charge" }, "mocked charge");
			m.forceEventTimeout({ name: "approval" });
			assert.throws(
				() => m.mockStepResult({ name: "charge" }, "again"),
				(e) => (e as { code?: string }).code === "testing.duplicate_mock",
			);
		});
		await engine.bindings.CHECKOUT.create({ id: "t-2", params: { order: "o-3" } });
		await noEvent.waitForStatus("errored");
		assert.deepEqual(await noEvent.getError(), { name: "WorkflowTimeoutError", message: "Execution timed out after 86400000ms" });
		assert.equal(await noEvent.waitForStepResult({ name: "charge" }), "mocked charge");
		await timeout.dispose();
		await noEvent.dispose();
	} finally {
		await close();
	}
});

test("the virtual clock: seven days pass in a call, and an introspector sees every new instance", async () => {
	const { engine, clock, close } = await createTestEngine({ workflows: { CHECKOUT: { name: "checkout", class: Checkout } } });
	try {
		await using all = await introspectWorkflow(engine.bindings.CHECKOUT);
		const first = await engine.bindings.CHECKOUT.create({ params: { order: "v-1" } });
		const [introspector] = await all.get();
		assert.ok(introspector);
		assert.equal(introspector.id, first.id);
		await introspector.waitForStepResult({ name: "price" });
		await clock.advance("7 days");
		assert.equal(await introspector.waitForStepResult({ name: "charge" }), "charged 1200");
		await first.sendEvent({ type: "approved", payload: { by: "grace" } });
		await introspector.waitForStatus("complete");
		assert.equal(((await introspector.getOutput()) as { by: string }).by, "grace");
	} finally {
		await close();
	}
});
