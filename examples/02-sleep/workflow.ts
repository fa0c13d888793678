// Sleeping: step.sleep for a relative pause and step.sleepUntil for a point in time. While an
// instance sleeps nothing of it is held in memory; a timer in the engine wakes it when due.
import type { Engine, WorkflowEvent, WorkflowStep } from "weft";
import { WorkflowEntrypoint } from "weft";
import { finish, type InstanceRun } from "../shared/report.js";

export interface ReminderParams {
	/** The pause between sending a message and checking on it, in milliseconds. */
	pauseMs: number;
	/** How long after the check the final reminder is due, in milliseconds. */
	reminderAfterMs: number;
}

export interface ReminderResult {
	sentAt: number;
	checkedAt: number;
	reminderDueAt: number;
	remindedAt: number;
}

export class ReminderWorkflow extends WorkflowEntrypoint<unknown, ReminderParams> {
	async run(event: Readonly<WorkflowEvent<ReminderParams>>, step: WorkflowStep): Promise<ReminderResult> {
		const { pauseMs, reminderAfterMs } = event.payload;

		// Times are read inside steps: a step's result is journaled, so a replay after a restart
		// sees the same values instead of a fresh Date.now().
		const sentAt = await step.do("send message", async () => Date.now());
		await step.sleep("give the reader time", pauseMs);
		const checkedAt = await step.do("check for a reply", async () => Date.now());

		// The deadline is computed from a journaled value, so it is the same on every replay.
		const reminderDueAt = checkedAt + reminderAfterMs;
		await step.sleepUntil("wait until the reminder is due", new Date(reminderDueAt));
		const remindedAt = await step.do("send reminder", async () => Date.now());

		return { sentAt, checkedAt, reminderDueAt, remindedAt };
	}
}

export const sleepWorkflows = { REMINDER: { name: "reminder", class: ReminderWorkflow } };

/** Runs one instance that pauses 300 ms, then sleeps until 250 ms after its check. */
export async function runSleepExample(engine: Engine, params: ReminderParams = { pauseMs: 300, reminderAfterMs: 250 }): Promise<InstanceRun[]> {
	const instance = await engine.workflow("reminder").create({ params });
	return [await finish("reminder", instance)];
}
