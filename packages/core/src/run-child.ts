// Child workflows with typed results, beyond Cloudflare (where a parent polls): a parent starts a
// child inside a step and durably waits for the event the child's end delivers to it, in the same
// transaction as that end. While it waits the parent is `waiting`, holding no concurrency slot.
import { createHash } from "node:crypto";
import type { WorkflowDuration } from "./duration.js";
import { type ErrorRecord, WorkflowError } from "./errors.js";
import type { Serializer } from "./serializer.js";
import type { ChildNotice, InstanceKey } from "./store.js";
import { bindingOwner, type WorkflowBinding } from "./workflow-binding.js";
import type { WorkflowStep, WorkflowStepContext } from "./workflow-entrypoint.js";

/** What a child's end tells its parent. */
export type ChildOutcome = { status: "complete"; output: unknown } | { status: "errored"; error: ErrorRecord } | { status: "terminated" };

/** A child that errored or was terminated, thrown by `runChild` in its parent (outside any step: catch it to carry on). */
export class ChildWorkflowError extends WorkflowError {
	override name = "ChildWorkflowError";
	readonly child: InstanceKey & { status: "errored" | "terminated"; error: { name: string; message: string } | null };
	constructor(child: ChildWorkflowError["child"]) {
		super(
			child.status === "errored" ? "child.errored" : "child.terminated",
			`child ${child.workflow}/${child.id} ${child.status}${child.error ? `: ${child.error.name}: ${child.error.message}` : ""}`,
		);
		this.child = child;
	}
}

export interface RunChildOptions<Params> {
	params?: Params;
	/** The child's id (default: derived from the parent's id and this call's name, so a retried start finds the same child). */
	id?: string;
	/** How long to wait for the child (default 365 days); then the parent's wait fails with a WorkflowTimeoutError. */
	timeout?: WorkflowDuration;
}

const PARENT = Symbol.for("weft.parent");

/** The event type a child's end is delivered as: not one a user can send (it has a "/"). */
export function childEventType(child: InstanceKey): string {
	return `weft-child/${child.workflow}/${child.id}`;
}

/** The notice for a child's parent, when it has one. */
export function childNotice(child: InstanceKey & { parent: InstanceKey | null }, outcome: ChildOutcome, serializer: Serializer): ChildNotice | undefined {
	if (!child.parent) return undefined;
	return { parent: child.parent, type: childEventType(child), payload: serializer.encode(outcome) };
}

/** Marks a step context with the instance it runs for (not enumerable: a body may return its ctx). */
export function withParent(ctx: WorkflowStepContext, instance: InstanceKey): WorkflowStepContext {
	Object.defineProperty(ctx, PARENT, { value: { workflow: instance.workflow, id: instance.id }, enumerable: false });
	return ctx;
}

/**
 * Starts `binding`'s workflow as a child of the running instance and waits for its output, typed
 * from the child's `run`. Two journal entries in the parent: the step "<name>" that creates the
 * child (a retry finds the same child), and the wait "<name>: done" for its end. A child that
 * errors or is terminated throws a ChildWorkflowError here. Terminating the parent terminates its
 * children (docs/child-workflows.md).
 */
export async function runChild<Params, Output>(
	step: WorkflowStep,
	name: string,
	binding: WorkflowBinding<Params, Output>,
	options: RunChildOptions<Params> = {},
): Promise<Output> {
	const owner = bindingOwner(binding);
	if (!owner) throw new WorkflowError("child.invalid_binding", `runChild("${name}") needs a workflow binding from this engine's env, e.g. this.env.REPORT`);
	const child = await step.do(name, async (ctx) => {
		const parent = (ctx as unknown as Record<symbol, InstanceKey | undefined>)[PARENT];
		if (!parent) throw new WorkflowError("child.outside_workflow", "runChild runs only inside a workflow's run(), on this engine");
		const id = options.id ?? `c-${createHash("sha256").update(`${parent.workflow}/${parent.id}/${name}`).digest("hex").slice(0, 40)}`;
		// Created, or created by an earlier attempt of this step whose result was lost: either way ours.
		await owner.engine.createInstances(owner.workflow, [{ id, params: options.params, parent }]);
		return { workflow: owner.workflow, id };
	});
	const done = await step.waitForEvent<ChildOutcome>(`${name}: done`, { type: childEventType(child), timeout: options.timeout ?? "365 days" });
	const outcome = done.payload;
	if (outcome.status === "complete") return outcome.output as Output;
	throw new ChildWorkflowError({
		...child,
		status: outcome.status,
		error: outcome.status === "errored" ? { name: outcome.error.name, message: outcome.error.message } : null,
	});
}
