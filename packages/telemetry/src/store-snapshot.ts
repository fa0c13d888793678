// What the metrics and the alert rules read from the store: instance counts by status, each
// workflow's queue, and how many instances are held by a divergence. Read at most once per
// `maxAgeMs` (scrapes and alert checks in between share one reading), and never twice at once.
// Counting by status walks an index that grows with every instance ever kept (about 0.3 s per
// million rows on SQLite, where it holds the event loop), so the counts are refreshed only once
// the time since the last count is COUNT_COST_FACTOR times what that count took: the counting
// stays under 2% of the process's time at any size. The queues come from the due-time index and
// are read every time.
import type { Engine, InstanceStatusName, QueueStats } from "@weft/core";

export interface StoreReading {
	/** When it was read (engine clock, ms). */
	at: number;
	counts: { workflow: string; status: InstanceStatusName; count: number }[];
	/** Absent when the store cannot tell (no queueStats). */
	queues: QueueStats[] | null;
	/** Paused instances whose journal's last word is a divergence, per workflow. */
	held: Map<string, number>;
}

/** Paused instances examined per workflow when counting held ones: held instances are rare; a bound keeps a mass pause cheap. */
const HELD_SCAN_LIMIT = 1000;
const COUNT_COST_FACTOR = 50;

export class StoreSnapshot {
	readonly #engine: Engine;
	readonly #workflows: string[];
	readonly #maxAgeMs: number;
	#last: StoreReading | null = null;
	#pending: Promise<StoreReading> | null = null;
	#counts: { at: number; tookMs: number; rows: StoreReading["counts"] } | null = null;

	constructor(engine: Engine, workflows: string[], maxAgeMs: number) {
		this.#engine = engine;
		this.#workflows = workflows;
		this.#maxAgeMs = maxAgeMs;
	}

	/** The last reading if it is recent enough, else a new one. */
	read(): Promise<StoreReading> {
		const now = this.#engine.clock.now();
		if (this.#last && now - this.#last.at < this.#maxAgeMs) return Promise.resolve(this.#last);
		this.#pending ??= this.#readNow(now).finally(() => {
			this.#pending = null;
		});
		return this.#pending;
	}

	async #readNow(now: number): Promise<StoreReading> {
		const store = this.#engine.store;
		const [counts, queues] = await Promise.all([this.#countByStatus(now), store.queueStats ? store.queueStats(this.#workflows, now) : null]);
		const held = new Map<string, number>();
		for (const workflow of this.#workflows) {
			const paused = counts.some((c) => c.workflow === workflow && c.status === "paused" && c.count > 0);
			held.set(workflow, paused ? await this.#countHeld(workflow) : 0);
		}
		this.#last = { at: now, counts, queues, held };
		return this.#last;
	}

	async #countByStatus(now: number): Promise<StoreReading["counts"]> {
		const last = this.#counts;
		if (last && now - last.at < Math.max(this.#maxAgeMs, COUNT_COST_FACTOR * last.tookMs)) return last.rows;
		const began = performance.now();
		const rows = await this.#engine.store.countByStatus();
		this.#counts = { at: now, tookMs: performance.now() - began, rows };
		return rows;
	}

	async #countHeld(workflow: string): Promise<number> {
		const { instances } = await this.#engine.store.listInstances({ workflow, status: "paused", limit: HELD_SCAN_LIMIT });
		let held = 0;
		for (const instance of instances) {
			const journal = await this.#engine.store.readJournal(instance);
			// The record kinds are enough: the last "diverged" or "resumed" says whether it is still held.
			for (let i = journal.length - 1; i >= 0; i--) {
				const kind = journal[i]?.kind;
				if (kind === "resumed") break;
				if (kind === "diverged") {
					held++;
					break;
				}
			}
		}
		return held;
	}
}
