// The burst: many small tasks created at once and drained under a concurrency limit. Each
// `burst-task` instance runs one short step; `peak-report` tells, from inside the server's
// process, the most task bodies that ever ran at once there.
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";

export interface TaskParams {
	task: number;
	/** Something to work on. */
	text: string;
}

/** Shared by every instance in this process: a module outlives the instances that use it. */
const gauge = { running: 0, max: 0, bodies: 0 };

export class BurstTask extends WorkflowEntrypoint<unknown, TaskParams> {
	async run(event: Readonly<WorkflowEvent<TaskParams>>, step: WorkflowStep) {
		return step.do("process task", async () => {
			gauge.running++;
			gauge.bodies++;
			gauge.max = Math.max(gauge.max, gauge.running);
			try {
				await delay(2); // an I/O call's worth of waiting, so bodies overlap as real ones would
				return { task: event.payload.task, digest: createHash("sha256").update(event.payload.text).digest("hex").slice(0, 16) };
			} finally {
				gauge.running--;
			}
		});
	}
}

export interface Peak {
	/** The most task bodies running at once in this process since it started. */
	max: number;
	/** Task bodies started in this process (a body cut off by a crash and run again counts twice). */
	bodies: number;
}

export class PeakReport extends WorkflowEntrypoint {
	async run(_event: Readonly<WorkflowEvent<unknown>>, step: WorkflowStep): Promise<Peak> {
		return step.do("read the gauge", async () => ({ max: gauge.max, bodies: gauge.bodies }));
	}
}
