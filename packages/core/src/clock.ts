/** Time as the engine sees it. No engine module reads Date.now() or calls setTimeout directly. */
export interface Clock {
	now(): number;
	/** Calls `fn` after `ms`; the returned function cancels it. */
	setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	setTimer(fn, ms) {
		const t = setTimeout(fn, Math.max(0, Math.min(ms, 2_147_483_647)));
		return () => clearTimeout(t);
	},
};

/**
 * A clock that moves only when told to, for tests: `advance(ms)` fires every timer that falls
 * due, in due order, and lets the engine's promises settle between them (event-loop turns,
 * not time).
 */
export class ManualClock implements Clock {
	#now: number;
	#timers = new Map<number, { at: number; fn: () => void }>();
	#nextId = 1;
	constructor(start = Date.UTC(2026, 0, 1)) {
		this.#now = start;
	}
	now(): number {
		return this.#now;
	}
	setTimer(fn: () => void, ms: number): () => void {
		const id = this.#nextId++;
		// Whole milliseconds, as Date.now() gives: a jittered delay must not make now() fractional
		// (a PostgreSQL store writes times into bigint columns).
		this.#timers.set(id, { at: this.#now + Math.max(0, Math.ceil(ms)), fn });
		return () => this.#timers.delete(id);
	}
	async advance(ms: number): Promise<void> {
		const until = this.#now + Math.ceil(ms);
		for (;;) {
			await settle();
			let next: [number, { at: number; fn: () => void }] | undefined;
			for (const entry of this.#timers) if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
			if (!next) break;
			this.#timers.delete(next[0]);
			this.#now = Math.max(this.#now, next[1].at);
			next[1].fn();
		}
		this.#now = until;
		await settle();
	}
}

/** Lets the event loop turn enough times for commits and activations started by a timer to arm their own timers. */
async function settle(): Promise<void> {
	for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}
