import { LeaseLostError, type StoreObserver } from "@weft/core";
import type { Database } from "better-sqlite3";

interface Pending {
	run: () => unknown;
	/** The lease a write was made under, if any. */
	lease?: string | undefined;
	resolve: (v: unknown) => void;
	reject: (e: unknown) => void;
}

/**
 * Gathers the writes issued during one turn of the event loop and commits them in a single
 * transaction (one fsync for all). A write that throws (a stale lease, say) fails alone; if the
 * commit itself fails, every write in it fails.
 * Waiters resolve only after the commit is durable.
 */
export class GroupCommit {
	readonly #db: Database;
	#queue: Pending[] = [];
	#scheduled = false;
	/** Sizes of recent batches, for benchmarks and metrics. */
	batches = 0;
	writes = 0;
	/** Told about each commit and each write refused for a stale lease (metrics). */
	observer: StoreObserver | undefined;

	constructor(db: Database) {
		this.#db = db;
	}

	/**
	 * Leases one of whose writes was lost in a failed commit. A later write under such a lease is
	 * refused, so an activation that carried on past an unacknowledged write (commit behind)
	 * cannot complete on top of the write that was lost.
	 */
	readonly #poisoned = new Set<string>();

	isPoisoned(lease: string): boolean {
		return this.#poisoned.has(lease);
	}

	enqueue<T>(run: () => T, lease?: string): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ run, lease, resolve: resolve as (v: unknown) => void, reject });
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => this.flush());
			}
		});
	}

	flush(): void {
		this.#scheduled = false;
		const batch = this.#queue.splice(0);
		if (batch.length === 0) return;
		const began = this.observer ? performance.now() : 0;
		let outcomes: { ok: boolean; value: unknown }[];
		try {
			outcomes = this.#runAll(batch) ?? this.#runEachInSavepoint(batch);
			this.#db.exec("COMMIT");
		} catch (e) {
			if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
			for (const p of batch) {
				if (p.lease) this.#poisoned.add(p.lease);
				p.reject(e);
			}
			return;
		}
		this.batches++;
		this.writes += batch.length;
		this.observer?.committed?.(batch.length, (performance.now() - began) / 1000);
		batch.forEach((p, i) => {
			const o = outcomes[i] as { ok: boolean; value: unknown };
			if (o.ok) p.resolve(o.value);
			else {
				if (o.value instanceof LeaseLostError) this.observer?.staleWriteRejected?.();
				p.reject(o.value);
			}
		});
	}

	/**
	 * The fast path: every write in one transaction, no savepoints. Writes check their
	 * preconditions (the lease) before they change anything, so failures are rare; when one
	 * throws, everything is rolled back and undefined is returned for the careful path.
	 */
	#runAll(batch: Pending[]): { ok: boolean; value: unknown }[] | undefined {
		this.#db.exec("BEGIN IMMEDIATE");
		try {
			return batch.map((p) => ({ ok: true, value: p.run() }));
		} catch {
			this.#db.exec("ROLLBACK");
			return undefined;
		}
	}

	/** The careful path: each write in its own savepoint, so one that throws fails alone. */
	#runEachInSavepoint(batch: Pending[]): { ok: boolean; value: unknown }[] {
		this.#db.exec("BEGIN IMMEDIATE");
		return batch.map((p) => {
			try {
				// Inside the open transaction, better-sqlite3 runs this as a SAVEPOINT.
				return { ok: true, value: this.#db.transaction(p.run)() };
			} catch (e) {
				return { ok: false, value: e };
			}
		});
	}
}
