// Cloudflare's testing API (`cloudflare:test`) over an in-process Weft engine, under the same
// names, so a Cloudflare user's workflow tests port with one import.
import { bindingOwner, type Engine, type InstanceStatusName, stepKey, ValidationError, WeftError } from "@weft/core";
import { StepModifier, type StepSelector } from "./step-modifier.js";

const TERMINAL = new Set(["complete", "errored", "terminated"]);

function ownerOf(binding: unknown): { engine: Engine; workflow: string } {
	const owner = bindingOwner(binding);
	if (!owner) throw new ValidationError("testing.not_a_binding", "introspection needs a workflow binding of a Weft engine (engine.bindings.X or env.X)");
	return owner;
}

/** Polls `check` every few ms until it returns a value; fails after `timeoutMs` of real time. */
async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await check();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new WeftError("testing.timeout", `${what} did not happen within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

export class WorkflowInstanceIntrospector {
	readonly #engine: Engine;
	readonly #workflow: string;
	readonly id: string;
	readonly #modifier = new StepModifier();
	readonly #remove: () => void;
	timeoutMs = 10_000;

	constructor(engine: Engine, workflow: string, id: string, modifier?: StepModifier) {
		this.#engine = engine;
		this.#workflow = workflow;
		this.id = id;
		if (modifier) this.#modifier = modifier;
		this.#remove = modifier ? () => {} : engine.intercept(workflow, id, this.#modifier.interceptor());
	}

	/** Changes what this instance's steps do; call before the instance reaches them (usually before create). */
	async modify(fn: (m: StepModifier) => void | Promise<void>): Promise<void> {
		await fn(this.#modifier);
	}

	/** The value of a step once it has succeeded (the n-th use of the name: `index`, default 1). */
	async waitForStepResult(step: StepSelector): Promise<unknown> {
		const key = stepKey("do", step.name, step.index ?? 1);
		return poll(
			async () => {
				const entries = await this.#journal();
				const final = entries.find((e) => e.kind === "attempt" && e.key === key && e.final);
				if (final?.kind !== "attempt") return undefined;
				if (!final.ok) {
					const error = final.stepError ?? final.error;
					throw new WeftError("testing.step_failed", `step "${step.name}" failed: ${error?.name}: ${error?.message}`);
				}
				return { value: final.value };
			},
			`a result for step "${step.name}"`,
			this.timeoutMs,
		).then((r) => r.value);
	}

	/** Resolves once the instance has this status; rejects once a terminal status makes it unreachable. */
	async waitForStatus(status: InstanceStatusName): Promise<void> {
		await poll(
			async () => {
				const s = (await this.#record())?.status;
				if (s === status) return true;
				if (s && TERMINAL.has(s)) throw new WeftError("testing.unreachable_status", `instance ${this.id} ended ${s}; it will never be ${status}`);
				return undefined;
			},
			`status ${status}`,
			this.timeoutMs,
		);
	}

	/** The output of a complete instance, with its structured-clone types. */
	async getOutput(): Promise<unknown> {
		const r = await this.#record();
		if (r?.status !== "complete") throw new WeftError("testing.not_complete", `instance ${this.id} is ${r?.status ?? "not created"}, not complete`);
		return r.output ? this.#engine.serializer.decode(r.output) : undefined;
	}

	/** The error of an errored instance. */
	async getError(): Promise<{ name: string; message: string }> {
		const r = await this.#record();
		if (r?.status !== "errored" || !r.error) throw new WeftError("testing.not_errored", `instance ${this.id} is ${r?.status ?? "not created"}, not errored`);
		return { name: r.error.name, message: r.error.message };
	}

	async dispose(): Promise<void> {
		this.#remove();
	}

	async [Symbol.asyncDispose](): Promise<void> {
		await this.dispose();
	}

	#record() {
		return this.#engine.store.getInstance({ workflow: this.#workflow, id: this.id });
	}

	async #journal() {
		return (await this.#record()) ? this.#engine.readJournal({ workflow: this.#workflow, id: this.id }) : [];
	}
}

export class WorkflowIntrospector {
	readonly #engine: Engine;
	readonly #workflow: string;
	readonly #modifier = new StepModifier();
	readonly #remove: () => void;
	readonly #since: number;

	constructor(engine: Engine, workflow: string) {
		this.#engine = engine;
		this.#workflow = workflow;
		this.#since = engine.clock.now();
		this.#remove = engine.intercept(workflow, null, this.#modifier.interceptor());
	}

	/** Changes what the steps of every instance of the workflow do. */
	async modifyAll(fn: (m: StepModifier) => void | Promise<void>): Promise<void> {
		await fn(this.#modifier);
	}

	/** An introspector for each instance created since this one was made. */
	async get(): Promise<WorkflowInstanceIntrospector[]> {
		const { instances } = await this.#engine.listInstances(this.#workflow, { createdFrom: this.#since, limit: 1000 });
		return instances.reverse().map((i) => new WorkflowInstanceIntrospector(this.#engine, this.#workflow, i.id, this.#modifier));
	}

	async dispose(): Promise<void> {
		this.#remove();
	}

	async [Symbol.asyncDispose](): Promise<void> {
		await this.dispose();
	}
}

export async function introspectWorkflowInstance(binding: unknown, instanceId: string): Promise<WorkflowInstanceIntrospector> {
	const { engine, workflow } = ownerOf(binding);
	return new WorkflowInstanceIntrospector(engine, workflow, instanceId);
}

export async function introspectWorkflow(binding: unknown): Promise<WorkflowIntrospector> {
	const { engine, workflow } = ownerOf(binding);
	return new WorkflowIntrospector(engine, workflow);
}
