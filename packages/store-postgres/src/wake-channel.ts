import pg from "pg";
import { quoteIdent } from "./instance-row.js";

/** Called with the workflow whose instance became due, or null for "anything may be due" (after a (re)connect). */
export type WakeListener = (workflow: string | null) => void;

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

/**
 * One dedicated connection that LISTENs on the store's wake channel and fans notifications out
 * to listeners. It connects when the first listener arrives and reconnects after any error, with
 * exponential backoff and jitter; each (re)connect tells listeners `null`, since notifications
 * sent while it was away are lost. It needs a session: behind PgBouncer, use session pooling.
 */
export class WakeChannel {
	readonly #config: pg.ClientConfig;
	readonly #channel: string;
	readonly #onError: (e: unknown) => void;
	readonly #listeners = new Set<WakeListener>();
	#client: pg.Client | null = null;
	#connecting = false;
	#retryMs = FIRST_RETRY_MS;
	#retry: NodeJS.Timeout | null = null;
	#closed = false;
	/** Connections made (1 + reconnects), for tests and metrics. */
	connections = 0;

	constructor(config: pg.ClientConfig, channel: string, onError: (e: unknown) => void) {
		this.#config = config;
		this.#channel = channel;
		this.#onError = onError;
	}

	add(listener: WakeListener): () => void {
		this.#listeners.add(listener);
		if (!this.#client && !this.#connecting && !this.#retry && !this.#closed) void this.#connect();
		return () => void this.#listeners.delete(listener);
	}

	#emit(workflow: string | null): void {
		for (const l of [...this.#listeners]) {
			try {
				l(workflow);
			} catch (e) {
				this.#onError(e);
			}
		}
	}

	async #connect(): Promise<void> {
		this.#connecting = true;
		this.#retry = null;
		const client = new pg.Client(this.#config);
		const lost = (e?: unknown) => {
			if (e) this.#onError(e);
			if (this.#client === client) {
				this.#client = null;
				this.#scheduleRetry();
			}
		};
		client.on("error", lost);
		client.on("end", () => lost());
		client.on("notification", (msg) => {
			if (msg.channel === this.#channel) this.#emit(msg.payload ? msg.payload : null);
		});
		try {
			await client.connect();
			await client.query(`LISTEN ${quoteIdent(this.#channel)}`);
		} catch (e) {
			this.#connecting = false;
			this.#onError(e);
			client.end().catch(() => {});
			this.#scheduleRetry();
			return;
		}
		this.#connecting = false;
		if (this.#closed) {
			await client.end().catch(() => {});
			return;
		}
		this.#client = client;
		this.#retryMs = FIRST_RETRY_MS;
		this.connections++;
		this.#emit(null);
	}

	#scheduleRetry(): void {
		if (this.#closed || this.#retry) return;
		const delay = this.#retryMs * (0.5 + Math.random() / 2);
		this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
		this.#retry = setTimeout(() => void this.#connect(), delay);
	}

	async close(): Promise<void> {
		this.#closed = true;
		this.#listeners.clear();
		if (this.#retry) clearTimeout(this.#retry);
		this.#retry = null;
		const client = this.#client;
		this.#client = null;
		await client?.end().catch(() => {});
	}
}
