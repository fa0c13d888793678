import type { Database } from "better-sqlite3";

interface Pending {
	run: () => unknown;
	resolve: (v: unknown) => void;
	reject: (e: unknown) => void;
}

/**
 * Gathers the writes issued during one turn of the event loop and commits them in a single
 * transaction (one fsync for all). Each write runs in its own savepoint, so one that throws
 * (a stale lease, say) fails alone; if the commit itself fails, every write in it fails.
 * Waiters resolve only after the commit is durable.
 */
export class GroupCommit {
	readonly #db: Database;
	#queue: Pending[] = [];
	#scheduled = false;
	/** Sizes of recent batches, for benchmarks and metrics. */
	batches = 0;
	writes = 0;

	constructor(db: Database) {
		this.#db = db;
	}

	enqueue<T>(run: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
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
		const db = this.#db;
		const outcomes: { ok: boolean; value: unknown }[] = [];
		try {
			db.exec("BEGIN IMMEDIATE");
		} catch (e) {
			for (const p of batch) p.reject(e);
			return;
		}
		for (const p of batch) {
			try {
				// Inside the open transaction, better-sqlite3 runs this as a SAVEPOINT.
				outcomes.push({ ok: true, value: db.transaction(p.run)() });
			} catch (e) {
				outcomes.push({ ok: false, value: e });
			}
		}
		try {
			db.exec("COMMIT");
		} catch (e) {
			if (db.inTransaction) db.exec("ROLLBACK");
			for (const p of batch) p.reject(e);
			return;
		}
		this.batches++;
		this.writes += batch.length;
		batch.forEach((p, i) => {
			const o = outcomes[i] as { ok: boolean; value: unknown };
			if (o.ok) p.resolve(o.value);
			else p.reject(o.value);
		});
	}
}
