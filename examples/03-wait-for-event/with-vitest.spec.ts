// The expense workflow tested with @weft/testing under vitest rather than node:test: the kit
// needs nothing from the runner (no fake timers, no globals), so the same calls work in both.
// Run with `npx vitest run`; examples/03-wait-for-event/with-vitest.test.ts runs it in npm test.
import { createTestEngine, introspectWorkflow, introspectWorkflowInstance } from "@weft/testing";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type ExpenseParams, ExpenseWorkflow } from "./workflow.js";

const workflows = { EXPENSE: { name: "expense", class: ExpenseWorkflow } };
let kit: Awaited<ReturnType<typeof createTestEngine<typeof workflows>>>;

beforeEach(async () => {
	kit = await createTestEngine({ workflows });
});
afterEach(async () => {
	await kit.close();
});

const params = (expenseId: string): ExpenseParams => ({ expenseId, amount: 40, approvalTimeout: "3 days" });

describe("expense approval under vitest", () => {
	test("a mocked approval event decides the expense", async () => {
		await using expense = await introspectWorkflowInstance(kit.engine.bindings.EXPENSE, "e-1");
		await expense.modify((m) => m.mockEvent({ type: "approval", payload: { approved: false, approver: "ada" } }));
		await kit.engine.bindings.EXPENSE.create({ id: "e-1", params: params("e-1") });
		await expense.waitForStatus("complete");
		expect(await expense.getOutput()).toMatchObject({ expenseId: "e-1", decision: "rejected", approver: "ada" });
	});

	test("three days pass on the virtual clock: the expense is escalated", async () => {
		const expense = await introspectWorkflowInstance(kit.engine.bindings.EXPENSE, "e-2");
		try {
			await kit.engine.bindings.EXPENSE.create({ id: "e-2", params: params("e-2") });
			expect(await expense.waitForStepResult({ name: "notify approver" })).toEqual({
				to: "finance@example.com",
				text: "Please approve expense e-2 of 40 EUR",
			});
			await expense.waitForStatus("waiting");
			await kit.clock.advance("3 days");
			await expense.waitForStatus("complete");
			expect(await expense.getOutput()).toEqual({ expenseId: "e-2", decision: "escalated", waitError: "WorkflowTimeoutError" });
		} finally {
			await expense.dispose();
		}
	});

	test("a step mocked for every instance, and a forced event timeout", async () => {
		const all = await introspectWorkflow(kit.engine.bindings.EXPENSE);
		try {
			await all.modifyAll((m) => {
				m.mockStepResult({ name: "escalate to manager" }, { to: "nobody" });
				m.forceEventTimeout({ name: "wait for approval" });
			});
			await kit.engine.bindings.EXPENSE.create({ id: "e-3", params: params("e-3") });
			const [expense] = await all.get();
			expect(expense?.id).toBe("e-3");
			await expense!.waitForStatus("complete");
			expect(await expense!.waitForStepResult({ name: "escalate to manager" })).toEqual({ to: "nobody" });
			expect(await expense!.getOutput()).toMatchObject({ decision: "escalated" });
		} finally {
			await all.dispose();
		}
	});
});
