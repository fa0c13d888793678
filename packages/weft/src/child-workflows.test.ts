// Child workflows: a parent starts children and waits for their typed outputs without polling and
// without holding a concurrency slot; a child's failure or termination reaches the parent as a
// ChildWorkflowError; terminating a parent terminates its children.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type BindingOf, ChildWorkflowError, runChild, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitForStatus, waitTerminal } from "./engine-harness.js";

class Square extends WorkflowEntrypoint<unknown, { n: number; fail?: boolean; wait?: boolean }> {
	async run(event: WorkflowEvent<{ n: number; fail?: boolean; wait?: boolean }>, step: WorkflowStep) {
		if (event.payload.wait) await step.waitForEvent("hold", { type: "go", timeout: "1 hour" });
		return step.do("square", { retries: { limit: 0, delay: 0 } }, async () => {
			if (event.payload.fail) throw new Error(`cannot square ${event.payload.n}`);
			return { n: event.payload.n, square: event.payload.n ** 2 };
		});
	}
}

type Env = { SQUARE: BindingOf<typeof Square> };

class SumOfSquares extends WorkflowEntrypoint<Env, { upTo: number; failAt?: number; waitAt?: number }> {
	async run(event: WorkflowEvent<{ upTo: number; failAt?: number; waitAt?: number }>, step: WorkflowStep) {
		const { upTo, failAt, waitAt } = event.payload;
		const results = await Promise.all(
			Array.from({ length: upTo }, (_, i) =>
				runChild(step, `square ${i + 1}`, this.env.SQUARE, { params: { n: i + 1, fail: i + 1 === failAt, wait: i + 1 === waitAt } }).then(
					// The output's type flows from Square's run(): r.square is a number.
					(r) => r.square,
					(e) => (e instanceof ChildWorkflowError ? `${e.child.status}: ${e.child.error?.message ?? ""}` : Promise.reject(e)),
				),
			),
		);
		return results;
	}
}

const workflows = {
	SUM: { name: "sum-of-squares", class: SumOfSquares, concurrency: { limit: 1 } },
	SQUARE: { name: "square", class: Square },
};

for (const alwaysReplay of [false, true]) {
	describe(`child workflows${alwaysReplay ? " (always replay)" : ""}`, () => {
		test("a parent fans out to children and fans their typed outputs in; waiting parents hold no slot", async () => {
			const h = await startEngine(workflows, { alwaysReplay });
			try {
				// The workflow's limit is 1: three parents waiting on their children all finish anyway.
				const parents = await Promise.all([1, 2, 3].map((k) => h.engine.bindings.SUM!.create({ id: `p${k}`, params: { upTo: 5 + k } })));
				for (const [k, p] of parents.entries()) {
					const s = await waitTerminal(p, 30_000);
					assert.equal(s.status, "complete");
					assert.deepEqual(
						s.output,
						Array.from({ length: 6 + k }, (_, i) => (i + 1) ** 2),
					);
				}
				const d = await h.engine.details({ workflow: "sum-of-squares", id: "p1" });
				assert.deepEqual(
					d.steps.slice(0, 2).map((s) => [s.type, "name" in s ? s.name : ""]),
					[
						["step", "square 1"],
						["step", "square 2"],
					],
				);
				assert.ok(d.steps.some((s) => s.type === "waitForEvent" && s.name === "square 1: done"));
			} finally {
				await h.close();
			}
		});

		test("a child that errors or is terminated reaches the parent as a ChildWorkflowError", async () => {
			const h = await startEngine(workflows, { alwaysReplay });
			try {
				const parent = await h.engine.bindings.SUM!.create({ id: "p", params: { upTo: 3, failAt: 2, waitAt: 3 } });
				// Child 3 waits for an event: terminate it instead.
				const { instances } = await (async () => {
					for (;;) {
						const page = await h.engine.listInstances("square", { status: "waiting" });
						if (page.instances.length > 0) return page;
						await new Promise((r) => setTimeout(r, 10));
					}
				})();
				await (await h.engine.bindings.SQUARE!.get(instances[0]!.id)).terminate();
				const s = await waitTerminal(parent, 30_000);
				assert.equal(s.status, "complete");
				assert.deepEqual(s.output, [1, "errored: cannot square 2", "terminated: "]);
			} finally {
				await h.close();
			}
		});

		test("terminating a parent terminates its children", async () => {
			const h = await startEngine(workflows, { alwaysReplay });
			try {
				const parent = await h.engine.bindings.SUM!.create({ id: "p", params: { upTo: 2, waitAt: 1 } });
				await waitForStatus(parent, "waiting");
				// Both children created, the second done and the first waiting (the parent may show
				// `waiting` between two steps in always-replay mode, before it created both).
				for (;;) {
					const all = (await h.engine.listInstances("square")).instances;
					if (all.length === 2 && all.some((c) => c.status === "waiting") && all.some((c) => c.status === "complete")) break;
					await new Promise((r) => setTimeout(r, 10));
				}
				await parent.terminate();
				const children = await h.engine.listInstances("square");
				assert.equal(children.instances.length, 2);
				const statuses = await Promise.all(children.instances.map(async (c) => (await (await h.engine.bindings.SQUARE!.get(c.id)).status()).status));
				// One child had already completed; the waiting one is terminated with its parent.
				assert.deepEqual(statuses.sort(), ["complete", "terminated"]);
				assert.equal((await parent.status()).status, "terminated");
			} finally {
				await h.close();
			}
		});
	});
}
