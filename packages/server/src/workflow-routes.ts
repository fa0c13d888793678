// GET /api/workflows and GET /api/workflows/:name: the registered workflows with their instance
// counts, and what the project config says about them.
import type { WorkflowDescription, WorkflowSummary } from "@weft/client";
import { ValidationError } from "@weft/core";
import type { Hono } from "hono";
import type { ApiContext } from "./api-context.js";

export function registerWorkflowRoutes(app: Hono, ctx: ApiContext): void {
	app.get("/api/workflows", async (c) => {
		const workflows = await describeAll(ctx);
		return c.json({
			workflows: workflows.map(({ name, binding, className, instances, schedules }): WorkflowSummary => ({ name, binding, className, instances, schedules })),
		});
	});

	app.get("/api/workflows/:name", async (c) => {
		const name = c.req.param("name");
		const found = (await describeAll(ctx)).find((w) => w.name === name);
		if (!found) throw new ValidationError("workflow.not_found", `no workflow named "${name}" is registered`);
		return c.json(found);
	});
}

async function describeAll(ctx: ApiContext): Promise<WorkflowDescription[]> {
	return (await ctx.engine.listWorkflows()).map((w) => {
		const info = ctx.info.get(w.name);
		return {
			name: w.name,
			binding: w.binding,
			className: info?.className ?? null,
			instances: w.instances,
			schedules: info?.schedules?.() ?? [],
			module: info?.module ?? null,
			concurrency: info?.concurrency ?? null,
			retention: info?.retention ?? null,
		};
	});
}
