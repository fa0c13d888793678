// The `ctx` a Worker's fetch() gets. `waitUntil` promises are tracked so shutdown can give them
// the grace period, and their failures are logged instead of crashing the process.
// `passThroughOnException` has no origin to fall through to here: a throwing fetch() answers 500.
export interface WorkerExecutionContext {
	waitUntil(promise: Promise<unknown>): void;
	passThroughOnException(): void;
	readonly props: Record<string, unknown>;
}

export class BackgroundWork {
	readonly #pending = new Set<Promise<unknown>>();
	readonly #log: (error: unknown) => void;
	constructor(log: (error: unknown) => void) {
		this.#log = log;
	}

	context(): WorkerExecutionContext {
		return {
			waitUntil: (promise) => {
				const tracked = Promise.resolve(promise).then(
					() => {},
					(e) => this.#log(e),
				);
				this.#pending.add(tracked);
				tracked.finally(() => this.#pending.delete(tracked));
			},
			passThroughOnException: () => {},
			props: {},
		};
	}

	/** Waits for all waitUntil() work, including work added while waiting (failures are logged, not thrown). */
	async drain(): Promise<void> {
		while (this.#pending.size > 0) await Promise.all(this.#pending);
	}

	/** Waits for pending waitUntil() work, at most `graceMs`. */
	async settle(graceMs: number): Promise<void> {
		if (this.#pending.size === 0) return;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([Promise.all(this.#pending), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
		clearTimeout(timer);
	}
}
