// Histories and replay against code: a recorded run replays without running a step body, and
// every way code can part from its history is reported precisely.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type History, parseHistory, replayHistory, WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { type Harness, startEngine, waitTerminal } from "./engine-harness.js";

let bodies = 0;
class Order extends WorkflowEntrypoint<unknown, { item: string }> {
	async run(event: WorkflowEvent<{ item: string }>, step: WorkflowStep) {
		const reserved = await step.do("reserve", async () => {
			bodies++;
			return { item: event.payload.item, at: new Date(0), tags: new Set(["a"]) };
		});
		await step.sleep("cool off", 10);
		const charged = await step.do("charge", { retries: { limit: 2, delay: 10 } }, async () => {
			bodies++;
			return 42;
		});
		return { reserved, charged };
	}
}

let h: Harness;
let history: History;
before(async () => {
	h = await startEngine({ ORDER: { name: "order", class: Order } });
	const instance = await h.engine.bindings.ORDER!.create({ id: "o-1", params: { item: "book" } });
	assert.equal((await waitTerminal(instance)).status, "complete");
	history = JSON.parse(JSON.stringify(await h.engine.exportHistory({ workflow: "order", id: "o-1" })));
});
after(() => h.close());

describe("histories", () => {
	test("an exported history is versioned JSON whose values keep their types", () => {
		assert.equal(history.format, "weft.history");
		assert.equal(history.version, 2);
		assert.equal(history.instance.codeVersion, h.engine.versionOf("order"));
		assert.deepEqual(history.instance.params, { item: "book" });
		const reserve = history.entries.find((e) => (e.entry as { key?: string }).key === "do:reserve#1");
		assert.ok(reserve, "the history holds the reserve step");
		assert.deepEqual((reserve.entry as { value: unknown }).value, {
			item: "book",
			at: { $weft: "Date", value: "1970-01-01T00:00:00.000Z" },
			tags: { $weft: "Set", value: ["a"] },
		});
	});

	test("replaying against the same code answers every step from the history and runs no body", async () => {
		const before = bodies;
		const r = await replayHistory(Order, history);
		assert.equal(r.divergence, null);
		assert.equal(r.status, "complete");
		assert.equal(r.served, 3);
		assert.ok((r.output as { reserved: { at: Date; tags: Set<string> } }).reserved.at instanceof Date);
		assert.ok((r.output as { reserved: { tags: Set<string> } }).reserved.tags instanceof Set);
		assert.equal(bodies, before, "no step body ran");
	});

	test("malformed and future histories are refused with stable codes", async () => {
		const code = (e: unknown) => (e instanceof WeftError ? e.code : String(e));
		assert.throws(
			() => parseHistory({ format: "other" }),
			(e) => code(e) === "history.invalid",
		);
		assert.throws(
			() => parseHistory({ ...history, version: 99 }),
			(e) => code(e) === "history.unsupported_version",
		);
		assert.throws(
			() => parseHistory({ ...history, entries: [{ seq: 1 }] }),
			(e) => code(e) === "history.invalid",
		);
		await assert.rejects(replayHistory(Order, "not json"), (e) => code(e) === "history.invalid");
	});

	test("a version-1 history (before code versions) upgrades and replays", async () => {
		const { codeVersion: _, ...v1instance } = history.instance;
		const v1 = { ...history, version: 1, instance: v1instance };
		const upgraded = parseHistory(JSON.parse(JSON.stringify(v1)));
		assert.equal(upgraded.version, 2);
		assert.equal(upgraded.instance.codeVersion, null);
		const r = await replayHistory(Order, v1);
		assert.equal(r.status, "complete");
		assert.equal(r.divergence, null);
	});
});

/** A variant of Order's code, to replay the recorded history against. */
function variant(body: (step: WorkflowStep, payload: { item: string }) => Promise<unknown>) {
	return class extends WorkflowEntrypoint<unknown, { item: string }> {
		async run(event: WorkflowEvent<{ item: string }>, step: WorkflowStep) {
			return body(step, event.payload);
		}
	};
}

describe("divergence reports", () => {
	test("a renamed step: the position, both sides and the call site", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.do("reserve stock", async () => 0);
			}),
			history,
		);
		assert.equal(r.status, "diverged");
		assert.equal(r.divergence?.kind, "missing-step");
		assert.equal(r.divergence?.position, 0);
		assert.equal(r.divergence?.code, 'do "reserve stock" #1');
		assert.equal(r.divergence?.history, 'do "reserve" #1');
		assert.match(r.divergence?.site ?? "", /history\.test\.js:\d+:\d+$/);
		assert.match(
			r.divergence?.message ?? "",
			/diverged at journal position 0: the code asked for do "reserve stock" #1 \(at .*history\.test\.js:\d+:\d+\); the history holds do "reserve" #1 there/,
		);
	});

	test("a removed step", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.do("reserve", async () => 0);
				return step.do("charge", { retries: { limit: 2, delay: 10 } }, async () => 0);
			}),
			history,
		);
		assert.equal(r.divergence?.kind, "out-of-order");
		assert.equal(r.divergence?.history, 'sleep "cool off" #1');
	});

	test("reordered steps", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.do("charge", { retries: { limit: 2, delay: 10 } }, async () => 0);
				await step.do("reserve", async () => 0);
			}),
			history,
		);
		assert.equal(r.divergence?.kind, "out-of-order");
		assert.equal(r.divergence?.code, 'do "charge" #1');
		assert.equal(r.divergence?.history, 'do "reserve" #1');
	});

	test("a step that changed kind", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.sleep("reserve", 10);
			}),
			history,
		);
		assert.equal(r.divergence?.kind, "missing-step");
		assert.equal(r.divergence?.code, 'sleep "reserve" #1');
		assert.equal(r.divergence?.history, 'do "reserve" #1');
	});

	test("a changed config", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.do("reserve", async () => 0);
				await step.sleep("cool off", 10);
				await step.do("charge", { retries: { limit: 5, delay: 10 } }, async () => 0);
			}),
			history,
		);
		assert.equal(r.divergence?.kind, "changed-config");
		assert.match(r.divergence?.message ?? "", /the config of do "charge" #1 .*changed/);
	});

	test("code that ends early, and code that goes on past the history's end", async () => {
		const early = await replayHistory(
			variant(async (step) => step.do("reserve", async () => 0)),
			history,
		);
		assert.equal(early.divergence?.kind, "ended-early");
		assert.equal(early.divergence?.history, 'sleep "cool off" #1');
		const late = await replayHistory(
			variant(async (step) => {
				await step.do("reserve", async () => 0);
				await step.sleep("cool off", 10);
				await step.do("charge", { retries: { limit: 2, delay: 10 } }, async () => 0);
				return step.do("ship", async () => 0);
			}),
			history,
		);
		assert.equal(late.divergence?.kind, "went-on");
		assert.equal(late.divergence?.code, 'do "ship" #1');
	});

	test("a different output", async () => {
		const r = await replayHistory(
			variant(async (step) => {
				await step.do("reserve", async () => 0);
				await step.sleep("cool off", 10);
				const charged = await step.do("charge", { retries: { limit: 2, delay: 10 } }, async () => 0);
				return { charged };
			}),
			history,
		);
		assert.equal(r.divergence?.kind, "output-differs");
	});
});
