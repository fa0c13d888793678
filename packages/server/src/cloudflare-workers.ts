// What `import … from "cloudflare:workers"` gives a project run by Weft (see cloudflare-resolve-hook.ts):
// Weft's own WorkflowEntrypoint, a WorkerEntrypoint, the module-scope `env`, and for Cloudflare
// features Weft does not have, classes that fail with a clear message when used.
import { WeftError } from "@weft/core";
import { workerEnv } from "./worker-env.js";

export { WorkflowEntrypoint } from "@weft/core";
export { WorkerEntrypoint } from "./worker-entrypoint.js";

/** The Worker's env at module scope (Cloudflare's `import { env } from "cloudflare:workers"`). */
export const env = workerEnv;

/**
 * Types on Cloudflare; values here only so `import { WorkflowStep, WorkflowEvent }` without
 * `type` still links under `verbatimModuleSyntax`. Nothing should construct them.
 */
export abstract class WorkflowStep {}
export abstract class WorkflowEvent {}

/** A base for objects returned over RPC; on Weft everything runs in one process, so it is a plain class. */
export class RpcTarget {}

/** Durable Objects are not part of Weft: a class may extend this, but creating one fails clearly. */
export class DurableObject {
	constructor() {
		throw new WeftError(
			"binding.unsupported",
			"Durable Objects are not available under Weft (cloudflare:workers DurableObject); see docs/migrating-from-cloudflare.md",
		);
	}
}
