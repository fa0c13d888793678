// GET /metrics (Prometheus text), GET /api/alerts (the alert rules' state) and
// GET …/instances/:id/logs (what step bodies printed, from the journal). Behind the same auth as
// every other route. Without telemetry (an API built around an engine alone), /metrics says so in
// a comment and /api/alerts lists no rules.
import type { AlertStatus, InstanceLogLine, InstanceLogs } from "@weft/client";
import type { Telemetry } from "@weft/telemetry";
import type { Hono } from "hono";
import { type ApiContext, checkInstanceId, workflowByName } from "./api-context.js";

export function registerObservabilityRoutes(app: Hono, ctx: ApiContext, telemetry: Telemetry | undefined): void {
	app.get("/metrics", async (c) => {
		if (!telemetry)
			return c.text("# this server was started without telemetry: no metrics\n", 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
		return c.text(await telemetry.metrics.text(), 200, { "content-type": telemetry.metrics.contentType });
	});

	app.get("/api/alerts", (c) => {
		const alerts: AlertStatus[] = telemetry?.alerts?.list() ?? [];
		return c.json({ alerts });
	});

	app.get("/api/workflows/:name/instances/:id/logs", async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		const details = await (await binding.get(id)).details();
		const logs: InstanceLogLine[] = [];
		for (const item of details.steps) {
			if (item.type !== "step") continue;
			for (const [i, attempt] of item.attempts.entries())
				for (const line of attempt.logs) logs.push({ step: item.name, count: item.count, attempt: i + 1, ...line });
		}
		const answer: InstanceLogs = { logs };
		return c.json(answer);
	});
}
