// An instance's history (its journal as one versioned document, docs/history-format.md) and
// forks: a new instance from an old one's params and journal up to a step.
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
