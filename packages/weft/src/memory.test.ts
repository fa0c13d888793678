// A finished activation leaves nothing behind: the workflow object it ran is garbage once the
// instance completes. (A shared never-settling promise once kept every activation alive.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("completed activations are garbage-collected", async () => {
	const refs: WeakRef<object>[] = [];
	class Tracked extends WorkflowEntrypoint {
		constructor(...args: ConstructorParameters<typeof WorkflowEntrypoint>) {
			super(...args);
			refs.push(new WeakRef(this));
		}
		async run(_e: WorkflowEvent, step: WorkflowStep) {
			const a = await step.do("one", async () => 1);
			await step.sleep("short", 5);
			return step.do("two", async () => a + 1);
		}
	}
	const h = await startEngine({ TRACKED: Tracked });
	try {
		const instances = await Promise.all(Array.from({ length: 50 }, () => h.engine.bindings.TRACKED!.create()));
		for (const i of instances) assert.equal((await waitTerminal(i)).status, "complete");
		assert.ok(refs.length >= 100, "each instance ran in two activations");
		for (let i = 0; i < 5; i++) {
			await new Promise((r) => setTimeout(r, 20));
			gc();
		}
		const alive = refs.filter((r) => r.deref() !== undefined).length;
		assert.equal(alive, 0, `${alive} of ${refs.length} workflow objects are still reachable`);
	} finally {
		await h.close();
	}
});
