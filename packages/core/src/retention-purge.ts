// Retention: finished instances are deleted once they have been finished for longer than their
// workflow keeps them (`retention: { success, error }`, Cloudflare's default_retention). A timer
// deletes in bounded batches, yielding between them, so a large backlog never stalls the hot path.
import type { Clock } from "./clock.js";
import { parseDuration, type WorkflowDuration } from "./duration.js";
import { ValidationError } from "./errors.js";
import type { InstanceStatusName, Store } from "./store.js";

export interface RetentionConfig {
	/** How long a completed instance is kept. */
	success?: WorkflowDuration | number;
	/** How long an errored or terminated instance is kept. */
	error?: WorkflowDuration | number;
}

export interface ResolvedRetention {
	successMs: number | null;
	errorMs: number | null;
}

/** Instances deleted per statement: small enough that one batch is a short write. */
export const PURGE_BATCH = 500;
const EVERY_MS = 60_000;

export function resolveRetention(workflow: string, r: RetentionConfig | undefined): ResolvedRetention | null {
	if (r === undefined) return null;
	if (typeof r !== "object" || r === null)
		throw new ValidationError(
			"workflow.invalid_retention",
			`workflow "${workflow}" retention must be { success?, error? } durations, e.g. { success: "7 days" }`,
		);
	const ms = (v: WorkflowDuration | number | undefined, what: string) =>
		v === undefined ? null : parseDuration(v, `workflow "${workflow}" retention.${what}`);
	return { successMs: ms(r.success, "success"), errorMs: ms(r.error, "error") };
}

/** Deletes, in batches, a workflow's instances in `statuses` that ended before `endedBefore`; returns how many. */
export async function purgeFinished(store: Store, workflow: string, statuses: InstanceStatusName[], endedBefore: number): Promise<number> {
	let total = 0;
	for (;;) {
		const n = await store.purgeInstances({ workflow, statuses, endedBefore, limit: PURGE_BATCH });
		total += n;
		if (n < PURGE_BATCH) return total;
		// Let activations commit between batches.
		await new Promise((r) => setImmediate(r));
	}
}

/** The engine's retention timer: every minute, each workflow with a retention is purged. */
export class RetentionPurge {
	readonly store: Store;
	readonly clock: Clock;
	readonly retention: ReadonlyMap<string, ResolvedRetention>;
	readonly onError: (e: unknown, context: string) => void;
	#cancel: (() => void) | null = null;
	#stopped = false;

	constructor(store: Store, clock: Clock, retention: ReadonlyMap<string, ResolvedRetention>, onError: (e: unknown, context: string) => void) {
		this.store = store;
		this.clock = clock;
		this.retention = retention;
		this.onError = onError;
	}

	start(): void {
		if (this.retention.size > 0) this.#schedule(0);
	}

	stop(): void {
		this.#stopped = true;
		this.#cancel?.();
	}

	#schedule(ms: number): void {
		if (this.#stopped) return;
		this.#cancel = this.clock.setTimer(() => {
			this.runOnce()
				.catch((e) => this.onError(e, "purging finished instances"))
				.finally(() => this.#schedule(EVERY_MS));
		}, ms);
	}

	async runOnce(): Promise<number> {
		let total = 0;
		const now = this.clock.now();
		for (const [workflow, r] of this.retention) {
			if (this.#stopped) break;
			if (r.successMs !== null) total += await purgeFinished(this.store, workflow, ["complete"], now - r.successMs);
			if (r.errorMs !== null) total += await purgeFinished(this.store, workflow, ["errored", "terminated"], now - r.errorMs);
		}
		return total;
	}
}
