// The finish counts of every process sharing a store (PostgreSQL): each process adds what its
// FinishWindow recorded to the store's tally every interval and when it stops, and errorRate
// rules sum the tally over their window. One write per interval, whatever the throughput: the
// hot path only bumps in-memory counters.
import type { Store } from "@weft/core";
import type { FinishWindow } from "./finish-window.js";

/** A store that keeps a shared tally of finishes (Store.addFinishCounts and its two companions). */
export type TallyStore = Required<Pick<Store, "addFinishCounts" | "sumFinishCounts" | "deleteFinishCounts">>;

export function tallyStore(store: Store): TallyStore | null {
	return store.addFinishCounts && store.sumFinishCounts && store.deleteFinishCounts ? (store as TallyStore) : null;
}

export class SharedFinishes {
	readonly #store: TallyStore;
	readonly #window: FinishWindow;
	readonly #intervalMs: number;
	readonly #onError: (error: unknown) => void;
	#timer: NodeJS.Timeout | null = null;
	/** The flush under way: flushes run one after another, so awaiting flush() covers every earlier finish. */
	#flushing: Promise<void> = Promise.resolve();
	#stopped = false;

	constructor(options: { store: TallyStore; window: FinishWindow; intervalMs: number; onError: (error: unknown) => void }) {
		this.#store = options.store;
		this.#window = options.window;
		this.#intervalMs = options.intervalMs;
		this.#onError = options.onError;
		this.#window.tally = true;
	}

	start(): void {
		if (this.#timer || this.#stopped) return;
		this.#timer = setInterval(() => void this.flush().catch(this.#onError), this.#intervalMs);
		this.#timer.unref();
	}

	/** Adds the counts recorded so far to the store's tally. Counts whose write failed go with the next flush. */
	flush(): Promise<void> {
		this.#flushing = this.#flushing
			.catch(() => {})
			.then(async () => {
				const counts = this.#window.drain();
				if (counts.length === 0) return;
				try {
					await this.#store.addFinishCounts(counts);
				} catch (e) {
					this.#window.restore(counts);
					throw e;
				}
			});
		return this.#flushing;
	}

	/** Instances of these workflows that finished at or after `from` (ms), in every process, and how many errored. */
	count(workflows: ReadonlySet<string>, from: number): Promise<{ finished: number; errored: number }> {
		return this.#store.sumFinishCounts([...workflows], from);
	}

	/** Drops the seconds before `before` (ms): what no rule's window reaches. */
	prune(before: number): Promise<void> {
		return this.#store.deleteFinishCounts(before);
	}

	/** Stops the timer and flushes what is left (before the store closes). */
	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		await this.flush().catch(this.#onError);
		this.#window.tally = false;
	}
}
