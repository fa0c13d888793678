import { LeaseLostError, type StoreObserver } from "@weft/core";
import type pg from "pg";

/** What a write sees of its transaction: queries on the batch's connection, and wake-ups to send at commit. */
export interface Tx {
	query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
	/** NOTIFYs the wake channel with this workflow's name when the transaction commits. */
	notify(workflow: string): void;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Writes of one kind that a batch runs together, in one multi-row statement. `runMany` answers
 * each item; an item may fail alone only with a LeaseLostError raised before it wrote anything.
 * Anything it throws makes the batch fall back to one savepoint per write.
 */
export interface Coalesced<I, T> {
	runMany(tx: Tx, items: I[]): Promise<Outcome<T>[]>;
	/** Told of an item that failed otherwise than by a lost lease: by its statement, or with its batch. */
	failed?(item: I): void;
}

interface Pending {
	run?: (tx: Tx) => Promise<unknown>;
	coalesced?: Coalesced<unknown, unknown>;
	item?: unknown;
	resolve: (v: unknown) => void;
	reject: (e: unknown) => void;
}

/** The most writes one transaction takes; the rest wait for the next. */
const MAX_BATCH = 2048;

/**
 * Gathers the writes issued during one turn of the event loop (and those issued while the
 * previous batch runs its statements) into one transaction on one connection. Writes in one
 * batch are concurrent, so any order is a valid one: coalesced writes (fenced journal appends and
 * completions, creations) run first as multi-row statements, the others after, in order.
 *
 * Fast path: everything in one transaction, no savepoints; a LeaseLostError fails its write
 * alone (fenced writes check their lease before they change anything). Any other error rolls the
 * batch back and runs it again with one SAVEPOINT per write, so a write that throws fails alone.
 * A failed COMMIT fails every write of the batch, and only those. Waiters resolve after COMMIT.
 *
 * Pipelined: while a batch's COMMIT is being made durable, the next batch runs its statements on
 * another connection (row locks make it wait where it touches the same rows), but it commits
 * only once the previous COMMIT has answered; if that failed, it is rolled back and run again,
 * so nothing commits on top of a write that was lost.
 */
export class PgGroupCommit {
	readonly #pool: pg.Pool;
	readonly #channel: string;
	readonly #pipeline: number;
	#queue: Pending[] = [];
	#scheduled = false;
	#draining = false;
	readonly #committing = new Set<Promise<void>>();
	/** Whether the last batch started committed. */
	#previous: Promise<boolean> = Promise.resolve(true);
	#idleWaiters: (() => void)[] = [];
	/** Transactions committed, writes in them, batches that needed the savepoint path, batches run again. */
	batches = 0;
	writes = 0;
	carefulBatches = 0;
	rerunBatches = 0;
	/** Told about each commit (metrics). */
	observer: StoreObserver | undefined;

	/** `pipeline`: batches that may be in flight at once (1: strictly one after the other). */
	constructor(pool: pg.Pool, channel: string, pipeline = 2) {
		this.#pool = pool;
		this.#channel = channel;
		this.#pipeline = Math.max(1, pipeline);
	}

	enqueue<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
		return this.#push({ run }) as Promise<T>;
	}

	enqueueCoalesced<I, T>(coalesced: Coalesced<I, T>, item: I): Promise<T> {
		return this.#push({ coalesced: coalesced as Coalesced<unknown, unknown>, item }) as Promise<T>;
	}

	#push(p: Omit<Pending, "resolve" | "reject">): Promise<unknown> {
		return new Promise((resolve, reject) => {
			this.#queue.push({ ...p, resolve, reject });
			if (!this.#scheduled && !this.#draining) {
				this.#scheduled = true;
				setImmediate(() => void this.#drain());
			}
		});
	}

	/** Resolves once every write enqueued so far has been committed or failed. */
	flush(): Promise<void> {
		if (this.#idle()) return Promise.resolve();
		if (!this.#draining && !this.#scheduled) void this.#drain();
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	#idle(): boolean {
		return this.#queue.length === 0 && !this.#draining && !this.#scheduled && this.#committing.size === 0;
	}

	#checkIdle(): void {
		if (this.#idle()) for (const w of this.#idleWaiters.splice(0)) w();
	}

	async #drain(): Promise<void> {
		this.#scheduled = false;
		if (this.#draining) return;
		this.#draining = true;
		try {
			while (this.#queue.length > 0) {
				while (this.#committing.size >= this.#pipeline) await Promise.race(this.#committing);
				const batch = this.#queue.splice(0, MAX_BATCH);
				const previous = this.#previous;
				await new Promise<void>((executed) => {
					const committed = this.#commit(batch, previous, executed);
					this.#previous = committed;
					const settled = committed.then(() => {
						this.#committing.delete(settled);
						this.#checkIdle();
					});
					this.#committing.add(settled);
				});
			}
		} finally {
			this.#draining = false;
			this.#checkIdle();
		}
	}

	/** Runs a batch; calls `executed` once its statements are done (or it failed); answers whether it committed. */
	async #commit(batch: Pending[], previous: Promise<boolean>, executed: () => void): Promise<boolean> {
		const began = this.observer ? performance.now() : 0;
		let client: pg.PoolClient;
		try {
			client = await this.#pool.connect();
		} catch (e) {
			executed();
			await previous;
			this.#fail(batch, e);
			return false;
		}
		const wake = new Set<string>();
		const tx: Tx = {
			query: (text, values) => client.query(text, values),
			notify: (workflow) => wake.add(workflow),
		};
		let outcomes: Outcome<unknown>[];
		try {
			try {
				outcomes = await this.#execute(client, tx, batch, wake);
			} finally {
				executed();
			}
			if (!(await previous)) {
				this.rerunBatches++;
				await client.query("ROLLBACK");
				outcomes = await this.#execute(client, tx, batch, wake);
			}
			if (wake.size > 0) client.query("SELECT pg_notify($1, w) FROM unnest($2::text[]) AS w", [this.#channel, [...wake]]).catch(() => {});
			const done = await client.query("COMMIT");
			// COMMIT of a transaction that failed answers ROLLBACK instead of an error.
			if (done.command !== "COMMIT") throw new Error(`the transaction was rolled back (${done.command})`);
		} catch (e) {
			await client.query("ROLLBACK").catch(() => {});
			client.release(e instanceof Error ? e : true);
			this.#fail(batch, e);
			return false;
		}
		client.release();
		this.batches++;
		this.writes += batch.length;
		this.observer?.committed?.(batch.length, (performance.now() - began) / 1000);
		batch.forEach((p, i) => {
			const o = outcomes[i] as Outcome<unknown>;
			if (o.ok) p.resolve(o.value);
			else {
				if (!(o.error instanceof LeaseLostError)) p.coalesced?.failed?.(p.item);
				p.reject(o.error);
			}
		});
		return true;
	}

	async #execute(client: pg.PoolClient, tx: Tx, batch: Pending[], wake: Set<string>): Promise<Outcome<unknown>[]> {
		wake.clear();
		// Not awaited: the driver sends the next statement as soon as BEGIN answers.
		const begun = client.query("BEGIN");
		begun.catch(() => {});
		const fast = await runAll(tx, batch);
		await begun;
		if (fast) return fast;
		this.carefulBatches++;
		wake.clear();
		await client.query("ROLLBACK");
		await client.query("BEGIN");
		return runEachInSavepoint(tx, batch);
	}

	#fail(batch: Pending[], e: unknown): void {
		for (const p of batch) {
			p.coalesced?.failed?.(p.item);
			p.reject(e);
		}
	}
}

/** The fast path; undefined when something other than a lost lease failed (the transaction is then unusable). */
async function runAll(tx: Tx, batch: Pending[]): Promise<Outcome<unknown>[] | undefined> {
	const outcomes: Outcome<unknown>[] = new Array(batch.length);
	const groups = new Map<Coalesced<unknown, unknown>, number[]>();
	batch.forEach((p, i) => {
		if (p.coalesced) groups.set(p.coalesced, [...(groups.get(p.coalesced) ?? []), i]);
	});
	try {
		for (const [coalesced, at] of groups) {
			const answers = await coalesced.runMany(
				tx,
				at.map((i) => batch[i]?.item),
			);
			at.forEach((i, k) => {
				outcomes[i] = answers[k] as Outcome<unknown>;
			});
		}
		for (const [i, p] of batch.entries()) {
			if (!p.run) continue;
			try {
				outcomes[i] = { ok: true, value: await p.run(tx) };
			} catch (e) {
				if (!(e instanceof LeaseLostError)) throw e;
				outcomes[i] = { ok: false, error: e };
			}
		}
	} catch {
		return undefined;
	}
	return outcomes;
}

/** Deadlock and serialization failures: the write may well succeed if run again. */
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 3;

/**
 * The careful path: each write in its own savepoint, in the order it was issued. A write chosen
 * as a deadlock victim (its savepoint's locks are released on rollback) is tried again.
 */
async function runEachInSavepoint(tx: Tx, batch: Pending[]): Promise<Outcome<unknown>[]> {
	const outcomes: Outcome<unknown>[] = [];
	for (const p of batch) {
		for (let attempt = 1; ; attempt++) {
			await tx.query("SAVEPOINT w");
			try {
				const value = p.coalesced
					? await p.coalesced.runMany(tx, [p.item]).then((o) => o[0] as Outcome<unknown>)
					: { ok: true as const, value: await p.run?.(tx) };
				await tx.query("RELEASE SAVEPOINT w");
				outcomes.push(value);
				break;
			} catch (e) {
				await tx.query("ROLLBACK TO SAVEPOINT w");
				if (attempt < ATTEMPTS && RETRYABLE.has((e as { code?: string }).code ?? "")) continue;
				outcomes.push({ ok: false, error: e });
				break;
			}
		}
	}
	return outcomes;
}
