// weft_held_instances counts the instances a divergence holds (onDivergence: "hold"), not every
// paused one: a deploy that renames a step under way holds one, a plain pause holds none.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createEngine, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { createTelemetry } from "./create-telemetry.js";

class V1 extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent<unknown>, step: WorkflowStep) {
		await step.do("reserve", async () => "reserved");
		await step.waitForEvent("stock", { type: "stock" });
		return step.do("ship", async () => "shipped");
	}
}
/** The deploy: the first step renamed while instances wait. */
class V2 extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent<unknown>, step: WorkflowStep) {
		await step.do("reserve stock", async () => "reserved");
		await step.waitForEvent("stock", { type: "stock" });
		return step.do("ship", async () => "shipped");
	}
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
	for (let i = 0; !(await check()); i++) {
		if (i > 1000) throw new Error(`gave up waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

test("weft_held_instances counts instances held by a divergence, not plain pauses", async () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-held-"));
	const database = join(dir, "weft.db");
	const v1 = await createEngine({ database, workflows: { ORDER: { name: "order", class: V1, onDivergence: "hold" } } });
	for (const id of ["diverges", "paused"]) await v1.bindings.ORDER.create({ id });
	await until(async () => (await v1.listInstances("order", { status: "waiting" })).instances.length === 2, "both instances to wait");
	await (await v1.bindings.ORDER.get("paused")).pause();
	await v1.close();

	const telemetry = createTelemetry({ workflows: [{ name: "order", concurrencyLimit: null }], logLevel: "silent", tracing: null });
	const v2 = await createEngine({ database, workflows: { ORDER: { name: "order", class: V2, onDivergence: "hold" } }, observer: telemetry.observer });
	telemetry.attach(v2);
	try {
		const held = await v2.bindings.ORDER.get("diverges");
		await held.sendEvent({ type: "stock", payload: 1 });
		await until(async () => (await held.status()).status === "paused", "the diverged instance to be held");
		const text = await telemetry.metrics.text();
		assert.match(text, /^weft_held_instances\{workflow="order"\} 1$/m, "one held; the plainly paused one is not counted");
		assert.match(text, /^weft_instances\{workflow="order",status="paused"\} 2$/m);
	} finally {
		await v2.close();
		await telemetry.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
