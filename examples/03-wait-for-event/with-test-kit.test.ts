// The same workflow tested with @weft/testing, as a Cloudflare user tests with cloudflare:test:
// no real waiting, the approval mocked, a three-day timeout reached on a virtual clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestEngine, introspectWorkflowInstance } from "@weft/testing";
import { ExpenseWorkflow } from "./workflow.js";

test("an approval arrives (mocked event)", async () => {
	const { engine, close } = await createTestEngine({ workflows: { EXPENSE: { name: "expense", class: ExpenseWorkflow } } });
	try {
		await using expense = await introspectWorkflowInstance(engine.bindings.EXPENSE, "e-1");
		await expense.modify((m) => m.mockEvent({ type: "approval", payload: { approved: true, approver: "ada" } }));
		await engine.bindings.EXPENSE.create({ id: "e-1", params: { expenseId: "e-1", amount: 12, approvalTimeout: "3 days" } });
		await expense.waitForStatus("complete");
		assert.deepEqual(await expense.getOutput(), {
			expenseId: "e-1",
			decision: "approved",
			approver: "ada",
			decidedAt: ((await expense.getOutput()) as { decidedAt: string }).decidedAt,
		});
	} finally {
		await close();
	}
});

test("nobody answers for three days (virtual clock): the expense is escalated", async () => {
	const { engine, clock, close } = await createTestEngine({ workflows: { EXPENSE: { name: "expense", class: ExpenseWorkflow } } });
	try {
		await using expense = await introspectWorkflowInstance(engine.bindings.EXPENSE, "e-2");
		await engine.bindings.EXPENSE.create({ id: "e-2", params: { expenseId: "e-2", amount: 99, approvalTimeout: "3 days" } });
		await expense.waitForStepResult({ name: "notify approver" });
		await expense.waitForStatus("waiting");
		await clock.advance("3 days");
		await expense.waitForStatus("complete");
		assert.deepEqual(await expense.getOutput(), { expenseId: "e-2", decision: "escalated", waitError: "WorkflowTimeoutError" });
	} finally {
		await close();
	}
});
