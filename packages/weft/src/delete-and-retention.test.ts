// Deleting instances (Cloudflare's delete() and deleteBatch) and retention: finished instances are
// purged once they have been finished longer than their workflow keeps them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InstanceNotFoundError, ManualClock, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

class Quick extends WorkflowEntrypoint<unknown, { fail?: boolean; wait?: boolean }> {
	async run(event: WorkflowEvent<{ fail?: boolean; wait?: boolean }>, step: WorkflowStep) {
		if (event.payload?.wait) await step.waitForEvent("hold", { type: "go", timeout: "30 days" });
		return step.do("work", { retries: { limit: 0, delay: 0 } }, async () => {
			if (event.payload?.fail) throw new Error("no");
			return 1;
		});
	}
}

test("delete() removes an instance whatever its state; deleteBatch answers per id given, in order, as Cloudflare's local engine does", async () => {
	const h = await startEngine({ Q: { name: "quick", class: Quick } });
	try {
		const waiting = await h.engine.bindings.Q!.create({ id: "w", params: { wait: true } });
		await waitForStatus(waiting, "waiting");
		await waiting.delete();
		await assert.rejects(waiting.status(), InstanceNotFoundError);
		await assert.rejects(waiting.delete(), InstanceNotFoundError);
		for (const id of ["a", "b"]) await waitTerminal(await h.engine.bindings.Q!.create({ id }));
		// Refused whole, and nothing deleted: an empty list, an invalid id.
		await assert.rejects(h.engine.bindings.Q!.deleteBatch([]), {
			name: "WorkflowError",
			code: "batch.empty",
			message: "(body) batchDeleteInstances should have at least 1 instance",
		});
		await assert.rejects(h.engine.bindings.Q!.deleteBatch(["a", "bad id"]), {
			name: "WorkflowError",
			code: "instance.invalid_id",
			message: "(instance.invalid_id) Instance ID is invalid",
		});
		assert.equal((await h.engine.bindings.Q!.get("a").then((i) => i.status())).status, "complete");
		// Observed on Cloudflare: a repeated id is listed once per time it is given.
		const r = await h.engine.bindings.Q!.deleteBatch(["a", "nope", "b", "a"]);
		assert.deepEqual(r, {
			deleted: [{ id: "a" }, { id: "b" }, { id: "a" }],
			errors: [{ id: "nope", code: 10400, message: "workflows.api.error.instance.not_found" }],
		});
		assert.deepEqual((await h.engine.listInstances("quick")).instances, []);
		// The id is free again.
		assert.equal((await waitTerminal(await h.engine.bindings.Q!.create({ id: "a" }))).status, "complete");
	} finally {
		await h.close();
	}
});

test("retention purges completed and errored instances once they have been finished long enough", async () => {
	const clock = new ManualClock();
	const h = await startEngine({ Q: { name: "quick", class: Quick, retention: { success: "1 day", error: "3 days" } } }, { clock });
	try {
		const ok = await h.engine.bindings.Q!.create({ id: "ok" });
		const bad = await h.engine.bindings.Q!.create({ id: "bad", params: { fail: true } });
		const waiting = await h.engine.bindings.Q!.create({ id: "waiting", params: { wait: true } });
		await clock.advance(10);
		assert.equal((await ok.status()).status, "complete");
		assert.equal((await bad.status()).status, "errored");
		await clock.advance(2 * 86_400_000);
		await assert.rejects(ok.status(), InstanceNotFoundError, "complete for more than a day: purged");
		assert.equal((await bad.status()).status, "errored", "errored for two days: kept");
		await clock.advance(2 * 86_400_000);
		await assert.rejects(bad.status(), InstanceNotFoundError);
		assert.equal((await waiting.status()).status, "waiting", "an unfinished instance is never purged");
		assert.equal(await h.engine.purge("quick", { olderThan: 0 }), 0);
	} finally {
		await h.close();
	}
});
