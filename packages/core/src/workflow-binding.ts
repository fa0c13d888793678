// What user code holds: a binding per workflow (`env.MY_WORKFLOW`) and an instance handle,
// with Cloudflare's methods, names and error shapes.
import type { Engine, InstanceStatus, RestartOptions, TerminateOptions } from "./engine.js";
import { InstanceNotFoundError, ValidationError, WorkflowError } from "./errors.js";
import type { SubscribeOptions, WorkflowInstanceEvent } from "./instance-events.js";
import { isValidInstanceId } from "./names.js";
import type { InstanceDetails } from "./timeline.js";

export interface WorkflowInstanceCreateOptions<Params = unknown> {
	id?: string;
	params?: Params;
}

export interface BatchError {
	index: number;
	id?: string;
	code: number;
	message: string;
}

/** Cloudflare's numeric createBatch error codes. */
export const BATCH_ERROR = {
	alreadyExists: { code: 10405, message: "workflows.api.error.instance.already_exists" },
	duplicateInBatch: { code: 10415, message: "workflows.api.error.instance.duplicate_in_batch" },
	notFound: { code: 10400, message: "workflows.api.error.instance.not_found" },
} as const;

export const MAX_BATCH_SIZE = 100;

export class WorkflowInstance {
	readonly id: string;
	readonly #engine: Engine;
	readonly #workflow: string;
	constructor(engine: Engine, workflow: string, id: string) {
		this.id = id;
		this.#engine = engine;
		this.#workflow = workflow;
	}
	get #key() {
		return { workflow: this.#workflow, id: this.id };
	}
	status(): Promise<InstanceStatus> {
		return this.#engine.status(this.#key);
	}
	pause(): Promise<void> {
		return this.#engine.pause(this.#key);
	}
	resume(): Promise<void> {
		return this.#engine.resume(this.#key);
	}
	/** Cloudflare's event stream: the history, then live events, ending after the terminal one (docs/api.md). */
	subscribe(options?: SubscribeOptions): AsyncGenerator<WorkflowInstanceEvent> {
		return this.#engine.subscribe(this.#key, options);
	}
	/** Deletes the instance with its journal, whatever its state; a running one stops at once (`instance.not_found` when gone). */
	async delete(): Promise<void> {
		const [r] = await this.#engine.deleteInstances([this.#key]);
		if (r !== "ok") throw new InstanceNotFoundError();
	}
	/** Stops the instance for good; `{ rollback: true }` runs its rollback handlers first. */
	terminate(options?: TerminateOptions): Promise<void> {
		return this.#engine.terminate(this.#key, options);
	}
	restart(options?: RestartOptions): Promise<void> {
		return this.#engine.restart(this.#key, options);
	}
	sendEvent(event: { type: string; payload?: unknown }): Promise<void> {
		return this.#engine.sendEvent(this.#key, event);
	}
	/** Weft's addition: the step timeline, shaped like Cloudflare's instance detail. */
	details(): Promise<InstanceDetails> {
		return this.#engine.details(this.#key);
	}
}

const owners = new WeakMap<object, { engine: Engine; workflow: string }>();

/** The engine and workflow name behind a binding (test support; undefined for anything else). */
export function bindingOwner(binding: unknown): { engine: Engine; workflow: string } | undefined {
	return typeof binding === "object" && binding !== null ? owners.get(binding) : undefined;
}

/** `Output` is what the workflow's run() returns: `runChild` hands it back typed. */
export class WorkflowBinding<Params = unknown, Output = unknown> {
	/** Types only (never set): carries `Output` so `runChild` can infer it from the binding. */
	declare readonly output?: Output;
	readonly #engine: Engine;
	readonly #workflow: string;
	constructor(engine: Engine, workflow: string) {
		this.#engine = engine;
		this.#workflow = workflow;
		owners.set(this, { engine, workflow });
	}

	get workflowName(): string {
		return this.#workflow;
	}

	/** Queues a new instance; throws `instance.already_exists` for an id in use. */
	async create(options?: WorkflowInstanceCreateOptions<Params>): Promise<WorkflowInstance> {
		const [r] = await this.#engine.createInstances(this.#workflow, [options ?? {}]);
		if (!r?.created) {
			throw new WorkflowError("instance.already_exists", `(instance.already_exists) Workflow instance with id "${r?.id}" already exists`);
		}
		return new WorkflowInstance(this.#engine, this.#workflow, r.id);
	}

	/**
	 * Deletes up to 100 instances by id: `{ deleted: [{ id }], errors: [{ id, code, message }] }`
	 * in the order given, each id once; an unknown id is Cloudflare's 10400 `instance.not_found`.
	 */
	async deleteBatch(ids: string[]): Promise<{ deleted: { id: string }[]; errors: { id: string; code: number; message: string }[] }> {
		if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string"))
			throw new ValidationError("batch.invalid", "deleteBatch takes an array of instance ids");
		if (ids.length > MAX_BATCH_SIZE)
			throw new ValidationError("batch.too_large", `deleteBatch takes at most ${MAX_BATCH_SIZE} ids per call, not ${ids.length}; split the batch`);
		// As Cloudflare's local engine answers (docs/cloudflare-observed.md): an empty list or one bad
		// id refuses the whole batch, and a repeated id is reported once per time it is given.
		if (ids.length === 0) throw new WorkflowError("batch.empty", "(body) batchDeleteInstances should have at least 1 instance");
		if (!ids.every(isValidInstanceId)) throw new WorkflowError("instance.invalid_id", "(instance.invalid_id) Instance ID is invalid");
		const unique = [...new Set(ids)];
		const outcomes = await this.#engine.deleteInstances(unique.map((id) => ({ workflow: this.#workflow, id })));
		const deleted = new Set(unique.filter((_, i) => outcomes[i] === "ok"));
		const result: { deleted: { id: string }[]; errors: { id: string; code: number; message: string }[] } = { deleted: [], errors: [] };
		for (const id of ids) {
			if (deleted.has(id)) result.deleted.push({ id });
			else result.errors.push({ id, ...BATCH_ERROR.notFound });
		}
		return result;
	}

	/**
	 * Up to 100 instances in one call. `{ instances }` → `{ created, errors }` with per-item
	 * errors; `{ count, params? }` → that many instances with generated ids; the deprecated array
	 * form → the created instances, duplicates silently left out. Every id is checked before
	 * anything is written.
	 */
	createBatch(batch: WorkflowInstanceCreateOptions<Params>[]): Promise<WorkflowInstance[]>;
	createBatch(
		batch: { instances: WorkflowInstanceCreateOptions<Params>[] } | { count: number; params?: Params },
	): Promise<{ created: WorkflowInstance[]; errors: BatchError[] }>;
	async createBatch(batch: unknown): Promise<WorkflowInstance[] | { created: WorkflowInstance[]; errors: BatchError[] }> {
		const legacy = Array.isArray(batch);
		let items: WorkflowInstanceCreateOptions<Params>[];
		if (legacy) items = batch as WorkflowInstanceCreateOptions<Params>[];
		else if (batch && typeof batch === "object" && Array.isArray((batch as { instances?: unknown }).instances))
			items = (batch as { instances: WorkflowInstanceCreateOptions<Params>[] }).instances;
		else if (batch && typeof batch === "object" && Number.isInteger((batch as { count?: unknown }).count)) {
			const { count, params } = batch as { count: number; params?: Params };
			if (count < 1) throw new ValidationError("batch.invalid", `createBatch count must be between 1 and ${MAX_BATCH_SIZE}, not ${count}`);
			items = Array.from({ length: count }, () => (params === undefined ? {} : { params }));
		} else
			throw new ValidationError("batch.invalid", "createBatch takes { instances: [{ id?, params? }, …] }, { count, params? } or an array of { id?, params? }");
		if (items.length > MAX_BATCH_SIZE)
			throw new ValidationError("batch.too_large", `createBatch takes at most ${MAX_BATCH_SIZE} instances per call, not ${items.length}; split the batch`);

		// Duplicates inside the batch are left out before anything is written.
		const seen = new Set<string>();
		const errors: BatchError[] = [];
		const toCreate: { index: number; item: WorkflowInstanceCreateOptions<Params> }[] = [];
		items.forEach((item, index) => {
			const id = item?.id;
			if (typeof id === "string" && seen.has(id)) errors.push({ index, id, ...BATCH_ERROR.duplicateInBatch });
			else {
				if (typeof id === "string") seen.add(id);
				toCreate.push({ index, item });
			}
		});
		const results = await this.#engine.createInstances(
			this.#workflow,
			toCreate.map((t) => t.item ?? {}),
		);
		const created: WorkflowInstance[] = [];
		results.forEach((r, i) => {
			if (r.created) created.push(new WorkflowInstance(this.#engine, this.#workflow, r.id));
			else errors.push({ index: (toCreate[i] as { index: number }).index, id: r.id, ...BATCH_ERROR.alreadyExists });
		});
		errors.sort((a, b) => a.index - b.index);
		return legacy ? created : { created, errors };
	}

	/** The instance with this id; throws `instance.not_found` (ids are per workflow). */
	async get(id: string): Promise<WorkflowInstance> {
		await this.#engine.requireInstance({ workflow: this.#workflow, id });
		return new WorkflowInstance(this.#engine, this.#workflow, id);
	}
}
