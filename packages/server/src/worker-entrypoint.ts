// `WorkerEntrypoint` from "cloudflare:workers": a Worker written as a class. Weft builds one per
// request (and per cron firing), as Cloudflare does, with the execution context and the Worker's env.
import type { WorkerExecutionContext } from "./worker-execution-context.js";

export abstract class WorkerEntrypoint<Env = unknown> {
	protected readonly ctx: WorkerExecutionContext;
	protected readonly env: Env;
	constructor(ctx: WorkerExecutionContext, env: Env) {
		this.ctx = ctx;
		this.env = env;
	}
	fetch?(request: Request): Response | Promise<Response>;
	scheduled?(controller: ScheduledController): void | Promise<void>;
}

/** What a `scheduled()` handler receives (Cloudflare's ScheduledController). */
export interface ScheduledController {
	readonly type: "scheduled";
	readonly cron: string;
	readonly scheduledTime: number;
	/** Accepted; Weft runs each firing's handler once and never retries it, so there is nothing to turn off. */
	noRetry(): void;
}
