// A Cloudflare Worker's `scheduled(controller, env, ctx)` handler, run on its wrangler
// `triggers.crons`. Each firing is an instance of a workflow of Weft's own (SCHEDULED_WORKFLOW),
// created by the same CronTrigger as workflow schedules: its id is derived from (cron, firing
// time), so however many processes share the database, one instance per firing is created and
// one process claims it and calls scheduled(). The firing is then visible like any instance
// (status, error, console output), and a process that dies mid-handler is taken over when its
// lease expires, so the handler runs at least once and, barring such a crash, exactly once.
import { resolve } from "node:path";
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowRegistration, type WorkflowStep } from "@weft/core";
import type { LoadedConfig } from "./load-config.js";
import { importModule } from "./module-loader.js";
import type { ScheduledController } from "./worker-entrypoint.js";
import { BackgroundWork, type WorkerExecutionContext } from "./worker-execution-context.js";

/** The workflow whose instances are the firings of the Worker's crons (a name no wrangler workflow is likely to take). */
export const SCHEDULED_WORKFLOW = "_weft_worker_scheduled";
const SCHEDULED_BINDING = "__WEFT_WORKER_SCHEDULED";

type ScheduledFn = (controller: ScheduledController, env: unknown, ctx: WorkerExecutionContext) => unknown;

/** How to call a module's default export on a firing, or null when it has no scheduled handler. */
export function workerScheduledHandler(defaultExport: unknown): ScheduledFn | null {
	if (typeof defaultExport === "function") {
		const Cls = defaultExport as new (ctx: WorkerExecutionContext, env: unknown) => { scheduled?: (controller: ScheduledController) => unknown };
		if (typeof Cls.prototype?.scheduled !== "function") return null;
		// A WorkerEntrypoint class: one instance per invocation, as for fetch.
		return (controller, env, ctx) => (new Cls(ctx, env).scheduled as (c: ScheduledController) => unknown)(controller);
	}
	if (typeof defaultExport === "object" && defaultExport !== null) {
		const scheduled = (defaultExport as { scheduled?: unknown }).scheduled;
		if (typeof scheduled === "function") return (controller, env, ctx) => (scheduled as ScheduledFn).call(defaultExport, controller, env, ctx);
	}
	return null;
}

/** The Worker's scheduled handler when its wrangler config declares crons and `main` exports one; null otherwise. */
export async function loadWorkerScheduled(loaded: LoadedConfig): Promise<ScheduledFn | null> {
	const main = loaded.config.main;
	if (!loaded.worker?.crons.length || main === undefined) return null;
	return workerScheduledHandler((await importModule(resolve(loaded.dir, main))).default);
}

/**
 * The registration of the firings' workflow. Its run() calls the handler in one step with no
 * retries and a 15-minute timeout (a failure is logged through `log` and ends the instance
 * errored), with the Worker's env (bindings and vars, as fetch gets them), and waits for every
 * `ctx.waitUntil` promise before the firing counts as done. Firings are kept a week, failed ones a month.
 */
export function scheduledWorkflow(handler: ScheduledFn, log: (error: unknown, context: string) => void): [string, WorkflowRegistration] {
	class WorkerScheduled extends WorkflowEntrypoint {
		override async run(event: WorkflowEvent<unknown>, step: WorkflowStep): Promise<null> {
			const schedule = event.schedule;
			if (!schedule) throw new NonRetryableError(`${SCHEDULED_WORKFLOW} instances are created by the Worker's triggers.crons only`);
			const env = this.env;
			// Cloudflare gives a Cron Trigger invocation up to 15 minutes; a step's default would cut it at 10.
			await step.do("scheduled", { retries: { limit: 0, delay: 0 }, timeout: "15 minutes" }, async () => {
				const background = new BackgroundWork((e) => log(e, `the Worker's scheduled() for "${schedule.cron}": ctx.waitUntil`));
				const controller: ScheduledController = { type: "scheduled", cron: schedule.cron, scheduledTime: schedule.scheduledTime, noRetry: () => {} };
				try {
					await handler(controller, env, background.context());
				} catch (e) {
					log(e, `the Worker's scheduled() for "${schedule.cron}" at ${new Date(schedule.scheduledTime).toISOString()}`);
					throw e;
				} finally {
					await background.drain();
				}
				return null;
			});
			return null;
		}
	}
	return [SCHEDULED_BINDING, { name: SCHEDULED_WORKFLOW, class: WorkerScheduled, onEnv: false, retention: { success: "7 days", error: "30 days" } }];
}
