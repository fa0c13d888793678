// The "hold" divergence policy: new code that parts from an instance's journal pauses it with the
// reason instead of running on; the default runs on, as Cloudflare does.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { createEngine } from "./create-engine.js";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

class V1 extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const reserved = await step.do("reserve", async () => "reserved");
		await step.sleep("wait for stock", 300);
		return { reserved, shipped: await step.do("ship", async () => "shipped") };
	}
}
class V2 extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const reserved = await step.do("reserve stock", async () => "reserved again");
		await step.sleep("wait for stock", 300);
		return { reserved, shipped: await step.do("ship", async () => "shipped") };
	}
}

for (const policy of ["hold", "run"] as const) {
	test(`a deploy that renames a step under way (onDivergence: "${policy}")`, async () => {
		const h = await startEngine({ ORDER: { name: "order", class: V1, onDivergence: policy } });
		const database = join(h.dir, "test.db");
		const first = await h.engine.bindings.ORDER!.create({ id: "o-1" });
		await waitForStatus(first, "waiting");
		await h.engine.close();
		// The new code starts on the same file while o-1 sleeps.
		const v2 = await createEngine({ database, workflows: { ORDER: { name: "order", class: V2, onDivergence: policy } } });
		try {
			const instance = await v2.bindings.ORDER.get("o-1");
			if (policy === "run") {
				assert.deepEqual(await waitTerminal(instance), { status: "complete", output: { reserved: "reserved again", shipped: "shipped" } });
				return;
			}
			await waitForStatus(instance, "paused");
			const details = await instance.details();
			assert.match(
				details.divergence?.message ?? "",
				/diverged at journal position 0: the code asked for do "reserve stock" #1 \(at .*divergence\.test\.js:\d+:\d+\); the journal holds do "reserve" #1 there/,
			);
			assert.ok(!details.steps.some((s) => s.type === "step" && s.name === "reserve stock"), "the new step did not run");
		} finally {
			await v2.close();
		}
		// The fix is deployed (the old code back): resume, and it carries on from its journal.
		const fixed = await createEngine({ database, workflows: { ORDER: { name: "order", class: V1, onDivergence: policy } } });
		try {
			const instance = await fixed.bindings.ORDER.get("o-1");
			await instance.resume();
			assert.deepEqual(await waitTerminal(instance), { status: "complete", output: { reserved: "reserved", shipped: "shipped" } });
			assert.equal((await instance.details()).divergence, null);
		} finally {
			await fixed.close();
			await h.close();
		}
	});
}

test("Promise.all over new and journaled steps is not a divergence", async () => {
	class Fan extends WorkflowEntrypoint {
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			const [a, b] = await Promise.all([step.do("a", async () => "a"), step.do("b", async () => "b")]);
			await step.sleep("nap", 20);
			return [a, b, await step.do("c", async () => "c")];
		}
	}
	const h = await startEngine({ FAN: { name: "fan", class: Fan, onDivergence: "hold" } }, { alwaysReplay: true });
	try {
		assert.deepEqual(await waitTerminal(await h.engine.bindings.FAN!.create()), { status: "complete", output: ["a", "b", "c"] });
	} finally {
		await h.close();
	}
});
