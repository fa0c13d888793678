// Waiting for an event: an expense waits for a human approval sent from outside with
// instance.sendEvent(). When nobody answers in time, waitForEvent throws a WorkflowTimeoutError,
// which the workflow catches to escalate instead of failing.
import type { Engine, WorkflowBinding, WorkflowDuration, WorkflowEvent, WorkflowStep, WorkflowStepEvent } from "weft";
import { WorkflowEntrypoint } from "weft";
import { waitForStatus } from "../shared/poll.js";
import { finish, type InstanceRun } from "../shared/report.js";

export interface ExpenseParams {
	expenseId: string;
	amount: number;
	/** How long to wait for the approval event. */
	approvalTimeout: WorkflowDuration;
}

/** The payload of an event of type "approval". */
export interface Approval {
	approved: boolean;
	approver: string;
}

export type ExpenseResult =
	| { expenseId: string; decision: "approved" | "rejected"; approver: string; decidedAt: string }
	| { expenseId: string; decision: "escalated"; waitError: string };

export class ExpenseWorkflow extends WorkflowEntrypoint<unknown, ExpenseParams> {
	async run(event: Readonly<WorkflowEvent<ExpenseParams>>, step: WorkflowStep): Promise<ExpenseResult> {
		const { expenseId, amount, approvalTimeout } = event.payload;
		await step.do("notify approver", async () => ({ to: "finance@example.com", text: `Please approve expense ${expenseId} of ${amount} EUR` }));

		// Only the wait is inside the try, so a failure anywhere else is not mistaken for a timeout.
		let approval: WorkflowStepEvent<Approval>;
		try {
			approval = await step.waitForEvent<Approval>("wait for approval", { type: "approval", timeout: approvalTimeout });
		} catch (error) {
			const waitError = (error as Error).name;
			await step.do("escalate to manager", async () => ({ to: "manager@example.com", text: `Expense ${expenseId} has had no answer` }));
			return { expenseId, decision: "escalated", waitError };
		}

		const { approved, approver } = approval.payload;
		await step.do("record decision", async () => ({ expenseId, approved, approver }));
		return { expenseId, decision: approved ? "approved" : "rejected", approver, decidedAt: approval.timestamp.toISOString() };
	}
}

export const waitForEventWorkflows = { EXPENSE: { name: "expense-approval", class: ExpenseWorkflow } };

/** What the driver sends to the instance that gets an answer. */
export const APPROVAL: Approval = { approved: true, approver: "dana@example.com" };

/** Runs an expense that is approved by an event, and one nobody answers within 300 ms. */
export async function runWaitForEventExample(engine: Engine): Promise<InstanceRun[]> {
	const expenses = engine.workflow("expense-approval") as WorkflowBinding<ExpenseParams>;
	const answered = await expenses.create({ params: { expenseId: "EXP-1", amount: 240, approvalTimeout: "1 minute" } });
	const unanswered = await expenses.create({ params: { expenseId: "EXP-2", amount: 90, approvalTimeout: "300 milliseconds" } });

	// Events sent early are kept for the instance, but a real approver answers a request they
	// have seen, so this waits until the instance is parked on its wait.
	await waitForStatus(answered, ["waiting", "complete", "errored", "terminated"]);
	await answered.sendEvent({ type: "approval", payload: APPROVAL });

	return Promise.all([finish("approved in time", answered), finish("nobody answered", unanswered)]);
}
