// An instance on a server, with the methods of the in-process `WorkflowInstance`, plus the step
// output and the live journal stream that the HTTP API adds.
import type {
	ApiTimelineItem,
	CreatedInstance,
	EventSent,
	ForkRequest,
	History,
	InstanceDetails,
	InstanceStatus,
	JournalEvent,
	RestartFrom,
	StatusAction,
	StatusChange,
} from "./api-types.js";
import type { InstanceLogs } from "./observability-types.js";
import { parseSse } from "./parse-sse.js";
import { WeftApiError } from "./weft-api-error.js";
import type { WeftClient } from "./weft-client.js";

export interface SubscribeOptions {
	/** Only entries after this `seq` (exclusive); 0 or absent: the whole journal. */
	cursor?: number;
	signal?: AbortSignal;
	/** Reconnections in a row to try when the connection drops before the instance finishes (default 30, 500 ms apart). */
	maxReconnects?: number;
}

const TERMINAL = new Set(["complete", "errored", "terminated"]);

export class RemoteInstance {
	readonly id: string;
	readonly workflow: string;
	readonly #client: WeftClient;

	constructor(client: WeftClient, workflow: string, id: string) {
		this.#client = client;
		this.workflow = workflow;
		this.id = id;
	}

	get #path(): string {
		return `/api/workflows/${encodeURIComponent(this.workflow)}/instances/${encodeURIComponent(this.id)}`;
	}

	/** `{ status, output?, error? }`, as the in-process `status()` returns it. */
	async status(): Promise<InstanceStatus> {
		const d = await this.details();
		const s: InstanceStatus = { status: d.status };
		if (TERMINAL.has(d.status)) s.output = d.output;
		if (d.status === "errored" && d.error) s.error = d.error;
		if (d.rollback) s.rollback = d.rollback;
		return s;
	}

	/** The instance with its step timeline, shaped like Cloudflare's instance detail. */
	details(): Promise<InstanceDetails> {
		return this.#client.request<InstanceDetails>("GET", this.#path);
	}

	/** One step by Cloudflare's name for it, `<name>-<count>` (e.g. "charge-1"), with its full output. */
	step(name: string, type?: ApiTimelineItem["type"]): Promise<ApiTimelineItem> {
		return this.#client.request<ApiTimelineItem>("GET", `${this.#path}/steps/${encodeURIComponent(name)}`, { query: { type } });
	}

	/** What the instance's step bodies printed, attempt by attempt (console capture). */
	logs(): Promise<InstanceLogs> {
		return this.#client.request<InstanceLogs>("GET", `${this.#path}/logs`);
	}

	pause(): Promise<void> {
		return this.#change("pause");
	}
	resume(): Promise<void> {
		return this.#change("resume");
	}
	/** Stops the instance for good; `{ rollback: true }` runs its rollback handlers first (it ends terminated after them). */
	async terminate(options: { rollback?: boolean } = {}): Promise<void> {
		if (!options.rollback) return this.#change("terminate");
		await this.#client.request<StatusChange>("PATCH", `${this.#path}/status`, { body: { status: "terminate", rollback: true } });
	}
	restart(options: { from?: RestartFrom } = {}): Promise<void> {
		return this.#change("restart", options.from);
	}

	/** Deletes the instance with its journal, whatever its state. */
	async delete(): Promise<void> {
		await this.#client.request<{ id: string; deleted: true }>("DELETE", this.#path);
	}

	/** The instance's journal as a self-contained, versioned history document (docs/history-format.md). */
	history(): Promise<History> {
		return this.#client.request<History>("GET", `${this.#path}/history`);
	}

	/** A new instance from this one's params (or `params`) and its journal before `from`; this one is left untouched. */
	async fork(options: ForkRequest = {}): Promise<RemoteInstance> {
		const created = await this.#client.request<CreatedInstance>("POST", `${this.#path}/fork`, { body: options });
		return new RemoteInstance(this.#client, this.workflow, created.id);
	}

	async sendEvent(event: { type: string; payload?: unknown }): Promise<void> {
		await this.#client.request<EventSent>("POST", `${this.#path}/events/${encodeURIComponent(event.type)}`, { body: event.payload });
	}

	async #change(action: StatusAction, from?: RestartFrom): Promise<void> {
		await this.#client.request<StatusChange>("PATCH", `${this.#path}/status`, { body: from ? { status: action, from } : { status: action } });
	}

	/**
	 * The instance's journal, entry by entry: first what is already there (after `cursor`), then
	 * live entries as they are committed, ending once the instance is complete, errored or
	 * terminated. A dropped connection (a server restart under `weft dev`) is resumed from the
	 * last entry seen, so nothing is skipped or repeated.
	 */
	async *subscribe(options: SubscribeOptions = {}): AsyncGenerator<JournalEvent> {
		let cursor = options.cursor ?? 0;
		let failures = 0;
		const maxReconnects = options.maxReconnects ?? 30;
		for (;;) {
			let response: Response;
			try {
				response = await this.#client.send("GET", `${this.#path}/events/stream`, {
					query: { cursor },
					headers: { accept: "text/event-stream" },
					signal: options.signal,
				});
			} catch (e) {
				if (e instanceof WeftApiError && e.code === "connection.failed" && failures < maxReconnects) {
					failures++;
					await new Promise((r) => setTimeout(r, 500));
					continue;
				}
				throw e;
			}
			failures = 0;
			if (!response.body) throw new WeftApiError("response.invalid", "the event stream answered without a body", response.status);
			try {
				for await (const message of parseSse(response.body)) {
					if (message.event === "end") return;
					const entry = JSON.parse(message.data) as JournalEvent;
					cursor = entry.seq;
					yield entry;
				}
			} catch (e) {
				if (options.signal?.aborted) return;
				if (!(e instanceof TypeError) && (e as { name?: string }).name !== "AbortError") throw e;
			}
			if (options.signal?.aborted) return;
			// The stream ended without its "end" message: the server went away mid-stream.
			if (failures++ >= maxReconnects) throw new WeftApiError("connection.failed", `the event stream of ${this.id} was cut off`, 0);
			await new Promise((r) => setTimeout(r, 500));
		}
	}
}
