// A workflow on a server, with the methods of the in-process binding (`create`, `createBatch`,
// `get`) plus the operator's views (`list`, `describe`).
import type { BatchError, BatchResult, CreatedInstance, InstancePage, ListInstancesQuery, WorkflowDescription } from "./api-types.js";
import { RemoteInstance } from "./remote-instance.js";
import type { WeftClient } from "./weft-client.js";

export interface CreateOptions<Params> {
	id?: string;
	params?: Params;
}

export class RemoteWorkflow<Params = unknown> {
	readonly name: string;
	readonly #client: WeftClient;

	constructor(client: WeftClient, name: string) {
		this.#client = client;
		this.name = name;
	}

	get #path(): string {
		return `/api/workflows/${encodeURIComponent(this.name)}`;
	}

	/** Queues a new instance; throws `instance.already_exists` for an id in use. */
	async create(options: CreateOptions<Params> = {}): Promise<RemoteInstance> {
		const created = await this.#client.request<CreatedInstance>("POST", `${this.#path}/instances`, { body: options });
		return new RemoteInstance(this.#client, this.name, created.id);
	}

	/** Up to 100 instances in one call, with per-item errors; the deprecated array form returns the created instances only. */
	createBatch(batch: CreateOptions<Params>[]): Promise<RemoteInstance[]>;
	createBatch(batch: { instances: CreateOptions<Params>[] } | { count: number; params?: Params }): Promise<{ created: RemoteInstance[]; errors: BatchError[] }>;
	async createBatch(
		batch: CreateOptions<Params>[] | { instances: CreateOptions<Params>[] } | { count: number; params?: Params },
	): Promise<RemoteInstance[] | { created: RemoteInstance[]; errors: BatchError[] }> {
		const result = await this.#client.request<BatchResult>("POST", `${this.#path}/instances/batch`, { body: batch });
		const created = result.created.map((c) => new RemoteInstance(this.#client, this.name, c.id));
		return Array.isArray(batch) ? created : { created, errors: result.errors };
	}

	/** The instance with this id; throws `instance.not_found`. */
	async get(id: string): Promise<RemoteInstance> {
		const instance = new RemoteInstance(this.#client, this.name, id);
		await instance.status();
		return instance;
	}

	/** A page of instances, newest first; pass the returned `cursor` back for the next page. */
	list(query: ListInstancesQuery = {}): Promise<InstancePage> {
		return this.#client.request<InstancePage>("GET", `${this.#path}/instances`, { query: { ...query } });
	}

	/** Deletes up to 100 instances: `{ deleted: [{ id }], errors: [{ id, code, message }] }`. */
	deleteBatch(ids: string[]): Promise<{ deleted: { id: string }[]; errors: { id: string; code: number; message: string }[] }> {
		return this.#client.request("POST", `${this.#path}/instances/batch/delete`, { body: { instances: ids } });
	}

	/** Deletes finished instances that ended more than `olderThan` ago (all finished ones by default); returns how many. */
	async purge(options: { olderThan?: string | number; statuses?: ("complete" | "errored" | "terminated")[] } = {}): Promise<number> {
		return (await this.#client.request<{ deleted: number }>("POST", `${this.#path}/instances/purge`, { body: options })).deleted;
	}

	/** The workflow's registration (class, concurrency, retention) and its instance counts. */
	describe(): Promise<WorkflowDescription> {
		return this.#client.request<WorkflowDescription>("GET", this.#path);
	}
}
