// The instance resources, after Cloudflare's REST API without the account prefix: list, create,
// batch create, describe (with the step timeline), one step, status changes and events.
import type { BatchResult, CreatedInstance, EventSent, InstanceDetails, InstancePage, StatusAction, StatusChange } from "@weft/client";
import { MAX_BATCH_SIZE, NAME_PATTERN, ValidationError, type WorkflowBinding } from "@weft/core";
import type { Context, Hono } from "hono";
import { type ApiContext, checkInstanceId, workflowByName } from "./api-context.js";
import { isPlainObject, onlyKeys, readJsonBody } from "./read-json-body.js";
import { RequestError } from "./request-error.js";
import { withStepCounts } from "./step-counts.js";

const ACTIONS: readonly StatusAction[] = ["pause", "resume", "terminate", "restart"];
const STEP_TYPES = ["step", "waitForEvent", "sleep"] as const;

export function registerInstanceRoutes(app: Hono, ctx: ApiContext): void {
	const base = "/api/workflows/:name/instances";

	app.get(base, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const q = c.req.query();
		const page: InstancePage = await ctx.engine.listInstances(binding.workflowName, {
			...(q.status !== undefined ? { status: q.status as never } : {}),
			...(q.createdFrom !== undefined ? { createdFrom: dateParam(q.createdFrom) } : {}),
			...(q.createdBefore !== undefined ? { createdBefore: dateParam(q.createdBefore) } : {}),
			...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
			...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
			...(q.version !== undefined ? { version: q.version } : {}),
		});
		return c.json(page);
	});

	app.post(base, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const body = (await readJsonBody(c)) ?? {};
		if (!isPlainObject(body)) throw new RequestError("request.invalid_body", "the body must be a JSON object { id?, params? }");
		onlyKeys(body, ["id", "params"], "the body");
		ctx.limiter?.take(binding.workflowName);
		const instance = await binding.create(body);
		return c.json(created(binding, instance.id), 201);
	});

	app.post(`${base}/batch`, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const body = await readJsonBody(c);
		// A plain array is Cloudflare's REST form; it answers per item here too.
		const batch = Array.isArray(body) ? { instances: body } : body;
		const size = batchSize(batch);
		if (size !== null && size >= 1 && size <= MAX_BATCH_SIZE) ctx.limiter?.take(binding.workflowName, size);
		// Malformed or oversized batches are refused by the binding with its own codes.
		const result = await binding.createBatch(batch as { instances: [] });
		const answer: BatchResult = { created: result.created.map((i) => created(binding, i.id)), errors: result.errors };
		return c.json(answer, 201);
	});

	app.get(`${base}/:id`, async (c) => c.json(await detailsOf(ctx, c)));

	app.get(`${base}/:id/steps/:step`, async (c) => {
		const stepName = c.req.param("step");
		const type = c.req.query("type");
		if (type !== undefined && !(STEP_TYPES as readonly string[]).includes(type))
			throw new RequestError("request.invalid_query", `type must be one of ${STEP_TYPES.join(", ")}, not ${JSON.stringify(type)}`);
		const m = /^(.*)-(\d+)$/s.exec(stepName);
		if (!m)
			throw new ValidationError("step.invalid_name", `name the step as Cloudflare does, "<name>-<count>" (e.g. "charge-1"), not ${JSON.stringify(stepName)}`);
		const [name, count] = [m[1] as string, Number(m[2])];
		const details = await detailsOf(ctx, c);
		const candidates = details.steps.filter((s) => s.type !== "termination" && s.name === name && s.count === count && (type === undefined || s.type === type));
		candidates.sort((a, b) => STEP_TYPES.indexOf(a.type as never) - STEP_TYPES.indexOf(b.type as never));
		if (candidates.length === 0) throw new RequestError("step.not_found", `instance ${details.id} has no step "${stepName}"${type ? ` of type ${type}` : ""}`);
		return c.json(candidates[0]);
	});

	app.patch(`${base}/:id/status`, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		const body = await readJsonBody(c);
		if (!isPlainObject(body) || !ACTIONS.includes(body.status as StatusAction))
			throw new RequestError(
				"request.invalid_body",
				`the body must be { "status": ${ACTIONS.map((a) => `"${a}"`).join(" | ")}, "from"?: { name, count?, type? }, "rollback"?: boolean }`,
			);
		onlyKeys(body, ["status", "from", "rollback"], "the body");
		const action = body.status as StatusAction;
		if (body.from !== undefined && action !== "restart") throw new RequestError("request.invalid_body", '"from" goes only with "status": "restart"');
		if (body.rollback !== undefined && (action !== "terminate" || typeof body.rollback !== "boolean"))
			throw new RequestError("request.invalid_body", '"rollback" goes only with "status": "terminate", as true or false');
		const instance = await binding.get(id);
		if (action === "restart") {
			ctx.limiter?.take(binding.workflowName);
			await instance.restart(body.from === undefined ? {} : { from: body.from as never });
		} else if (action === "terminate") await instance.terminate({ rollback: body.rollback === true });
		else await instance[action]();
		const answer: StatusChange = { id, status: (await instance.status()).status, timestamp: new Date().toISOString() };
		return c.json(answer);
	});

	app.post(`${base}/:id/events/:type`, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		const type = c.req.param("type");
		// Cloudflare's REST API checks event types so; the in-process binding is more lenient.
		if (type.length > 100 || !NAME_PATTERN.test(type))
			throw new ValidationError("event.invalid_type", `event type ${JSON.stringify(type.slice(0, 120))} is invalid: use 1–100 letters, digits, "_" or "-"`);
		const payload = await readJsonBody(c);
		const instance = await binding.get(id);
		await instance.sendEvent({ type, payload });
		const answer: EventSent = { instanceId: id, type, timestamp: new Date().toISOString() };
		return c.json(answer);
	});
}

async function detailsOf(ctx: ApiContext, c: Context): Promise<InstanceDetails> {
	const binding = workflowByName(ctx, c.req.param("name") as string);
	const id = checkInstanceId(c.req.param("id") as string);
	const key = { workflow: binding.workflowName, id };
	const instance = await binding.get(id);
	const details = await instance.details();
	return withStepCounts(details, await ctx.engine.readJournal(key));
}

function created(binding: WorkflowBinding, id: string): CreatedInstance {
	return { id, workflow: binding.workflowName, status: "queued" };
}

/** How many instances a batch body asks for, or null when its shape is not one the binding takes. */
function batchSize(batch: unknown): number | null {
	if (!isPlainObject(batch)) return null;
	if (Array.isArray(batch.instances)) return batch.instances.length;
	if (Number.isInteger(batch.count)) return batch.count as number;
	return null;
}

/** Epoch milliseconds when all digits, else the string as given (an ISO date). */
function dateParam(v: string): string | number {
	return /^\d+$/.test(v) ? Number(v) : v;
}
