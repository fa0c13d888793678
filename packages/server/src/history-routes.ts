// An instance's history (its journal as one versioned document, docs/history-format.md), forks (a
// new instance from an old one's params and journal up to a step), and deleting instances.
import type { CreatedInstance, ForkRequest } from "@weft/client";
import type { Hono } from "hono";
import { type ApiContext, checkInstanceId, workflowByName } from "./api-context.js";
import { isPlainObject, onlyKeys, readJsonBody } from "./read-json-body.js";
import { RequestError } from "./request-error.js";

export function registerHistoryRoutes(app: Hono, ctx: ApiContext): void {
	const base = "/api/workflows/:name/instances/:id";

	app.get(`${base}/history`, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		return c.json(await ctx.engine.exportHistory({ workflow: binding.workflowName, id }));
	});

	app.delete(base, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		await (await binding.get(id)).delete();
		return c.json({ id, deleted: true });
	});

	app.post("/api/workflows/:name/instances/batch/delete", async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const body = await readJsonBody(c);
		const ids = Array.isArray(body) ? body : isPlainObject(body) ? body.instances : undefined;
		if (!Array.isArray(ids)) throw new RequestError("request.invalid_body", 'the body must be { "instances": ["<id>", …] } (at most 100 ids)');
		return c.json(await binding.deleteBatch(ids as string[]));
	});

	app.post("/api/workflows/:name/instances/purge", async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const body = (await readJsonBody(c)) ?? {};
		if (!isPlainObject(body)) throw new RequestError("request.invalid_body", 'the body must be { "olderThan"?: "7 days", "statuses"?: ["complete", …] }');
		onlyKeys(body, ["olderThan", "statuses"], "the body");
		const deleted = await ctx.engine.purge(binding.workflowName, body as { olderThan?: number; statuses?: never[] });
		return c.json({ deleted });
	});

	app.post(`${base}/fork`, async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		const body = (await readJsonBody(c)) ?? {};
		if (!isPlainObject(body)) throw new RequestError("request.invalid_body", "the body must be a JSON object { from?: { name, count?, type? }, params?, id? }");
		onlyKeys(body, ["from", "params", "id"], "the body");
		if (body.id !== undefined) checkInstanceId(String(body.id));
		ctx.limiter?.take(binding.workflowName);
		const fork = await ctx.engine.fork({ workflow: binding.workflowName, id }, body as ForkRequest);
		const answer: CreatedInstance = { id: fork.id, workflow: binding.workflowName, status: "queued" };
		return c.json(answer, 201);
	});
}
