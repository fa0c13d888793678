// Code versions recorded on instances and activations, and forks: a new instance from an old
// one's params and journal up to a step, the original untouched.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

const code = (e: unknown) => (e instanceof WeftError ? e.code : String(e));

class Approval extends WorkflowEntrypoint<unknown, { amount: number }> {
	static runs = { quote: 0, charge: 0 };
	async run(event: WorkflowEvent<{ amount: number }>, step: WorkflowStep) {
		const quote = await step.do("quote", async () => {
			Approval.runs.quote++;
			return event.payload.amount * 2;
		});
		const approval = await step.waitForEvent<{ by: string }>("approval", { type: "approve", timeout: "1 hour" });
		const charged = await step.do("charge", async () => {
			Approval.runs.charge++;
			return { quote, amount: event.payload.amount, by: approval.payload.by };
		});
		return charged;
	}
}

describe("code versions", () => {
	test("an instance records the version that created it, and each new version that ran it", async () => {
		const first = await startEngine({ APPROVAL: { name: "approval", class: Approval, version: "v1" } });
		const instance = await first.engine.bindings.APPROVAL!.create({ id: "a-1", params: { amount: 5 } });
		await waitForStatus(instance, "waiting");
		await first.engine.close({ graceMs: 0 });

		const second = await startEngine({ APPROVAL: { name: "approval", class: Approval, version: "v2" } }, { database: first.database });
		try {
			const again = await second.engine.bindings.APPROVAL!.get("a-1");
			await again.sendEvent({ type: "approve", payload: { by: "ada" } });
			assert.equal((await waitTerminal(again)).status, "complete");
			await second.engine.bindings.APPROVAL!.create({ id: "a-2", params: { amount: 1 } });
			const d = await second.engine.details({ workflow: "approval", id: "a-1" });
			assert.equal(d.version, "v1");
			assert.deepEqual(
				d.versions.map((v) => v.version),
				["v1", "v2"],
			);
			const v1 = await second.engine.listInstances("approval", { version: "v1" });
			assert.deepEqual(
				v1.instances.map((i) => [i.id, i.version]),
				[["a-1", "v1"]],
			);
			const v2 = await second.engine.listInstances("approval", { version: "v2" });
			assert.deepEqual(
				v2.instances.map((i) => i.id),
				["a-2"],
			);
		} finally {
			await second.close();
			await first.close();
		}
	});

	test("without a declared version, the version is a hash of the class's source", async () => {
		class Other extends WorkflowEntrypoint {
			async run() {
				return 1;
			}
		}
		const h = await startEngine({ A: { name: "a", class: Approval }, B: { name: "b", class: Other } });
		try {
			assert.match(h.engine.versionOf("a"), /^[0-9a-f]{12}$/);
			assert.notEqual(h.engine.versionOf("a"), h.engine.versionOf("b"));
		} finally {
			await h.close();
		}
		await assert.rejects(startEngine({ A: { name: "a", class: Approval, version: "has space" } }), (e) => code(e) === "workflow.invalid_version");
	});
});

describe("forks", () => {
	test("a fork from a step replays what came before, runs the rest with new params, and leaves the original as it was", async () => {
		const h = await startEngine({ APPROVAL: { name: "approval", class: Approval } });
		try {
			const original = await h.engine.bindings.APPROVAL!.create({ id: "o", params: { amount: 5 } });
			await waitForStatus(original, "waiting");
			await original.sendEvent({ type: "approve", payload: { by: "ada" } });
			assert.deepEqual((await waitTerminal(original)).output, { quote: 10, amount: 5, by: "ada" });
			const before = await h.engine.details({ workflow: "approval", id: "o" });
			const runs = { ...Approval.runs };

			const { id } = await h.engine.fork({ workflow: "approval", id: "o" }, { from: { name: "charge" }, params: { amount: 7 }, id: "o-fork" });
			assert.equal(id, "o-fork");
			const fork = await h.engine.bindings.APPROVAL!.get(id);
			// The quote and the approval come from the copied journal: no new quote, no new event needed.
			assert.deepEqual((await waitTerminal(fork)).output, { quote: 10, amount: 7, by: "ada" });
			assert.equal(Approval.runs.quote, runs.quote, "the quote was not run again");
			assert.equal(Approval.runs.charge, runs.charge + 1, "the charge ran again, in the fork");
			assert.deepEqual(await h.engine.details({ workflow: "approval", id: "o" }), before, "the original is untouched");

			// An event sent to the fork later is not taken for the one it copied.
			const second = await h.engine.fork({ workflow: "approval", id: "o" }, { from: { name: "approval", type: "waitForEvent" } });
			const waiting = await h.engine.bindings.APPROVAL!.get(second.id);
			await waitForStatus(waiting, "waiting");
			await waiting.sendEvent({ type: "approve", payload: { by: "grace" } });
			assert.deepEqual((await waitTerminal(waiting)).output, { quote: 10, amount: 5, by: "grace" });
		} finally {
			await h.close();
		}
	});

	test("bad forks are refused with stable codes and create nothing", async () => {
		const h = await startEngine({ APPROVAL: { name: "approval", class: Approval } });
		try {
			await h.engine.bindings.APPROVAL!.create({ id: "o", params: { amount: 1 } });
			const key = { workflow: "approval", id: "o" };
			await assert.rejects(h.engine.fork(key, { from: { name: "nope" } }), (e) => code(e) === "instance.cannot_fork");
			await assert.rejects(h.engine.fork(key, { from: "charge" as never }), (e) => code(e) === "instance.invalid_fork");
			await assert.rejects(h.engine.fork(key, { id: "o" }), (e) => code(e) === "instance.already_exists");
			await assert.rejects(h.engine.fork({ workflow: "approval", id: "missing" }), (e) => code(e) === "instance.not_found");
			const all = await h.engine.listInstances("approval");
			assert.deepEqual(
				all.instances.map((i) => i.id),
				["o"],
			);
		} finally {
			await h.close();
		}
	});
});
