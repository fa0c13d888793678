// The cron trigger of a `weft start`, `weft dev` or `weft worker` process: every process runs
// one for the project's schedules; their deterministic instance ids make one create per firing win.
// A Worker's triggers.crons ride on the same trigger, as the schedules of SCHEDULED_WORKFLOW
// (registered only when the Worker exports a scheduled() handler: worker-scheduled.ts).
import type { Engine } from "@weft/core";
import { CronTrigger } from "./cron-trigger.js";
import type { LoadedConfig } from "./load-config.js";
import { SCHEDULED_WORKFLOW } from "./worker-scheduled.js";

/** Started (missed firings caught up, timers armed); null when no workflow has a schedule. */
export async function startSchedules(loaded: LoadedConfig, engine: Engine, onError: (error: unknown, context: string) => void): Promise<CronTrigger | null> {
	const workflows = loaded.workflows.filter((w) => w.schedules.length > 0).map((w) => ({ workflow: w.name, crons: w.schedules }));
	if (loaded.worker?.crons.length && hasWorkflow(engine, SCHEDULED_WORKFLOW)) workflows.push({ workflow: SCHEDULED_WORKFLOW, crons: loaded.worker.crons });
	if (workflows.length === 0) return null;
	const trigger = new CronTrigger({ engine, workflows, onError });
	await trigger.start();
	return trigger;
}

function hasWorkflow(engine: Engine, name: string): boolean {
	try {
		engine.workflow(name);
		return true;
	} catch {
		return false;
	}
}
