// A parent workflow that starts a child through its binding on `env` and polls the child's
// status in steps, sleeping between polls, as one does on Cloudflare (there is no built-in
// "await child"). Polling costs nothing while the parent sleeps: it is not held in memory.
import type { Engine, WorkflowBinding, WorkflowEvent, WorkflowStep } from "weft";
import { WorkflowEntrypoint, WorkflowError } from "weft";
import { finish, type InstanceRun, stepNamed } from "../shared/report.js";

export interface ReportParams {
	orderId: string;
}

export interface Report {
	orderId: string;
	lines: number;
	total: number;
}

/** The child: slow on purpose (it sleeps 500 ms), so the parent has to poll more than once. */
export class ReportWorkflow extends WorkflowEntrypoint<unknown, ReportParams> {
	async run(event: Readonly<WorkflowEvent<ReportParams>>, step: WorkflowStep): Promise<Report> {
		const items = await step.do("collect line items", async () => [19.99, 5.5, 42]);
		await step.sleep("wait for the warehouse export", 500);
		return step.do("render report", async () => ({ orderId: event.payload.orderId, lines: items.length, total: items.reduce((a, b) => a + b, 0) }));
	}
}

export interface FulfilmentEnv {
	CHILD: WorkflowBinding<ReportParams>;
}

export interface FulfilmentResult {
	orderId: string;
	childId: string;
	polls: number;
	report: Report;
}

const POLL_INTERVAL_MS = 200;
const MAX_POLLS = 30;

export class FulfilmentWorkflow extends WorkflowEntrypoint<FulfilmentEnv, ReportParams> {
	async run(event: Readonly<WorkflowEvent<ReportParams>>, step: WorkflowStep): Promise<FulfilmentResult> {
		const { orderId } = event.payload;

		// The child's id is derived from the parent's, so if this step runs again after create()
		// succeeded (a crash before the step was recorded), it finds the same child instead of
		// starting a second one.
		const childId = await step.do("start child", async () => {
			const id = `${event.instanceId}-report`;
			try {
				return (await this.env.CHILD.create({ id, params: { orderId } })).id;
			} catch (error) {
				if (error instanceof WorkflowError && error.code === "instance.already_exists") return id;
				throw error;
			}
		});

		// Each check and each pause has its own name, so the timeline reads as a numbered series.
		for (let poll = 1; poll <= MAX_POLLS; poll++) {
			const child = await step.do(`check child ${poll}`, async () => (await this.env.CHILD.get(childId)).status());
			if (child.status === "complete") return { orderId, childId, polls: poll, report: child.output as Report };
			if (child.status === "errored" || child.status === "terminated") {
				throw new Error(`child ${childId} ended ${child.status}${child.error ? `: ${child.error.message}` : ""}`);
			}
			await step.sleep(`pause after check ${poll}`, POLL_INTERVAL_MS);
		}
		throw new Error(`child ${childId} had not finished after ${MAX_POLLS} checks`);
	}
}

// The parent reaches the child through the binding named CHILD, which the engine also puts on env.
export const childWorkflowWorkflows = {
	FULFILMENT: { name: "order-fulfilment", class: FulfilmentWorkflow },
	CHILD: { name: "order-report", class: ReportWorkflow },
};

/** Runs the parent to its end; returns the parent's run and the child's. */
export async function runChildWorkflowExample(engine: Engine): Promise<InstanceRun[]> {
	const parent = await (engine.workflow("order-fulfilment") as WorkflowBinding<ReportParams>).create({ params: { orderId: "ORD-7" } });
	const parentRun = await finish("parent", parent);
	const childId = stepNamed(parentRun.details, "start child").output;
	if (typeof childId !== "string") throw new Error(`the parent ${parent.id} recorded no child id (status ${parentRun.status.status})`);
	const child = await engine.workflow("order-report").get(childId);
	return [parentRun, await finish("child", child)];
}
