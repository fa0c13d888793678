// Types for a Cloudflare Workers project run by Weft: `cloudflare:workers` and
// `cloudflare:workflows` as Weft provides them, and the global `Workflow` binding type. Use with
// `"types": ["weft/cloudflare"]` in tsconfig.json (docs/migrating-from-cloudflare.md).

declare module "cloudflare:workers" {
	export { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "weft";
	/** What a Worker's fetch() gets as `ctx` under Weft. */
	export interface ExecutionContext {
		waitUntil(promise: Promise<unknown>): void;
		passThroughOnException(): void;
		readonly props: Record<string, unknown>;
	}
	/** What a Worker's scheduled() gets on each firing of its wrangler `triggers.crons`. */
	export interface ScheduledController {
		readonly type: "scheduled";
		readonly cron: string;
		/** The firing's time, ms since the epoch (UTC). */
		readonly scheduledTime: number;
		/** Accepted; Weft never retries a scheduled() handler. */
		noRetry(): void;
	}
	/** A Worker written as a class: one instance per request or firing. */
	export abstract class WorkerEntrypoint<Env = unknown> {
		protected readonly ctx: ExecutionContext;
		protected readonly env: Env;
		constructor(ctx: ExecutionContext, env: Env);
		fetch?(request: Request): Response | Promise<Response>;
		scheduled?(controller: ScheduledController): void | Promise<void>;
	}
	/** The Worker's env (bindings and vars) at module scope. */
	export const env: Record<string, unknown>;
	export class RpcTarget {}
	/** Not available under Weft: constructing one throws `binding.unsupported`. */
	export class DurableObject<Env = unknown> {
		protected readonly ctx: unknown;
		protected readonly env: Env;
		constructor(ctx: unknown, env: Env);
	}
}

declare module "cloudflare:workflows" {
	export { NonRetryableError } from "weft";
}

// Global, as in @cloudflare/workers-types (this file is a script, not a module, for that reason).
/** A workflow binding on `env`. */
type Workflow<Params = unknown> = import("weft").WorkflowBinding<Params>;
type WorkflowInstance = import("weft").WorkflowInstance;
type ExecutionContext = import("cloudflare:workers").ExecutionContext;
type ScheduledController = import("cloudflare:workers").ScheduledController;
