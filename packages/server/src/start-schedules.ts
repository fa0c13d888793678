// The cron trigger of a `weft start`, `weft dev` or `weft worker` process: every process runs
// one for the project's schedules; their deterministic instance ids make one create per firing win.
import type { Engine } from "@weft/core";
import { CronTrigger } from "./cron-trigger.js";
import type { LoadedConfig } from "./load-config.js";

/** Started (missed firings caught up, timers armed); null when no workflow has a schedule. */
export async function startSchedules(loaded: LoadedConfig, engine: Engine, onError: (error: unknown, context: string) => void): Promise<CronTrigger | null> {
	const workflows = loaded.workflows.filter((w) => w.schedules.length > 0).map((w) => ({ workflow: w.name, crons: w.schedules }));
	if (workflows.length === 0) return null;
	const trigger = new CronTrigger({ engine, workflows, onError });
	await trigger.start();
	return trigger;
}
