// The OpenAPI 3.1 description of the HTTP API, served at /api/openapi.json. Written by hand next
// to the routes; a test checks that its paths are exactly the routes the server registers.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (description: string, schema: object) => ({ description, ...json(schema) });
const STATUS_WORDS: Record<number, string> = {
	400: "Bad request (invalid id, name, body or query)",
	401: "Missing or wrong bearer token",
	403: "No token configured, and the request came from a web page or through a non-loopback host name",
	404: "No such workflow, instance, step or route",
	409: "The instance's state does not allow it",
	413: "Body over 1 MiB, or params over 1 MiB once stored",
	429: "Creation rate exceeded; see Retry-After",
};
const errors = (...statuses: number[]) =>
	Object.fromEntries([401, 403, ...statuses].map((s) => [String(s), { description: STATUS_WORDS[s], ...json(ref("Error")) }]));
const param = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "path", required: true, description, schema });
const query = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "query", required: false, description, schema });
const idPattern = { type: "string", pattern: "^[a-zA-Z0-9_][a-zA-Z0-9-_]*$", maxLength: 100 };
const name = param("name", "The workflow's name", { type: "string", pattern: "^[a-zA-Z0-9_][a-zA-Z0-9-_]*$", maxLength: 64 });
const id = param("id", "The instance id", idPattern);
const STATUSES = ["queued", "running", "paused", "errored", "terminated", "complete", "waiting", "waitingForPause", "rollingBack", "unknown"];
const anyJson = {};
const nullableString = { type: ["string", "null"] };
const errorRecord = { type: ["object", "null"], properties: { name: { type: "string" }, message: { type: "string" } } };

export const OPENAPI_DOCUMENT = {
	openapi: "3.1.0",
	info: {
		title: "Weft HTTP API",
		version: "0.1.0",
		description:
			"Cloudflare Workflows' REST resources without the account prefix, served by `weft dev` / `weft start`. Errors are `{ error: { code, message } }`; see docs/http-api.md.",
	},
	servers: [{ url: "http://127.0.0.1:8787" }],
	security: [{ bearerAuth: [] }],
	paths: {
		"/healthz": { get: { operationId: "health", summary: "Liveness", responses: { 200: ok("The server is up", ref("Health")), ...errors() } } },
		"/api/openapi.json": {
			get: { operationId: "openapi", summary: "This document", responses: { 200: ok("OpenAPI 3.1 document", { type: "object" }), ...errors() } },
		},
		"/api/workflows": {
			get: {
				operationId: "listWorkflows",
				summary: "The registered workflows with instance counts by status",
				responses: { 200: ok("Workflows", { type: "object", properties: { workflows: { type: "array", items: ref("WorkflowSummary") } } }), ...errors() },
			},
		},
		"/api/workflows/{name}": {
			get: {
				operationId: "describeWorkflow",
				summary: "One workflow",
				parameters: [name],
				responses: { 200: ok("The workflow", ref("WorkflowDescription")), ...errors(404) },
			},
		},
		"/api/workflows/{name}/instances": {
			get: {
				operationId: "listInstances",
				summary: "A page of instances, newest first",
				parameters: [
					name,
					query("status", "Only this status", { type: "string", enum: STATUSES }),
					query("createdFrom", "Created at or after (ISO date or epoch ms)"),
					query("createdBefore", "Created before (ISO date or epoch ms)"),
					query("limit", "Page size, 1–1000 (default 50)", { type: "integer", minimum: 1, maximum: 1000 }),
					query("cursor", "The `cursor` of the previous page"),
					query("version", "Only instances created by this version of the workflow code"),
				],
				responses: { 200: ok("A page", ref("InstancePage")), ...errors(400, 404) },
			},
			post: {
				operationId: "createInstance",
				summary: "Create (queue) an instance",
				parameters: [name],
				requestBody: { required: false, ...json(ref("CreateInstance")) },
				responses: { 201: ok("Queued", ref("CreatedInstance")), ...errors(400, 404, 409, 413, 429) },
			},
		},
		"/api/workflows/{name}/instances/batch": {
			post: {
				operationId: "createInstanceBatch",
				summary: "Create up to 100 instances; per-item errors",
				parameters: [name],
				requestBody: {
					required: true,
					...json({
						oneOf: [
							{ type: "object", required: ["instances"], properties: { instances: { type: "array", maxItems: 100, items: ref("CreateInstance") } } },
							{ type: "object", required: ["count"], properties: { count: { type: "integer", minimum: 1, maximum: 100 }, params: anyJson } },
							{ type: "array", maxItems: 100, items: ref("CreateInstance") },
						],
					}),
				},
				responses: { 201: ok("Created, with per-item errors", ref("BatchResult")), ...errors(400, 404, 413, 429) },
			},
		},
		"/api/workflows/{name}/instances/{id}": {
			get: {
				operationId: "describeInstance",
				summary: "The instance with its step timeline",
				parameters: [name, id],
				responses: { 200: ok("The instance", ref("InstanceDetails")), ...errors(400, 404) },
			},
			delete: {
				operationId: "deleteInstance",
				summary: "Delete the instance with its journal, whatever its state",
				parameters: [name, id],
				responses: { 200: ok("Deleted", { type: "object", properties: { id: { type: "string" }, deleted: { const: true } } }), ...errors(400, 404) },
			},
		},
		"/api/workflows/{name}/instances/{id}/steps/{step}": {
			get: {
				operationId: "describeStep",
				summary: "One step, sleep or wait with its full output",
				parameters: [
					name,
					id,
					param("step", 'Cloudflare\'s step name, "<name>-<count>", e.g. "charge-1"'),
					query("type", "Which kind, when a step, a sleep and a wait share the name", { type: "string", enum: ["step", "waitForEvent", "sleep"] }),
				],
				responses: { 200: ok("The timeline item", ref("TimelineItem")), ...errors(400, 404) },
			},
		},
		"/api/workflows/{name}/instances/{id}/history": {
			get: {
				operationId: "exportHistory",
				summary: "The instance's journal as a versioned history document, to replay against code",
				parameters: [name, id],
				responses: { 200: ok("The history", ref("History")), ...errors(400, 404) },
			},
		},
		"/api/workflows/{name}/instances/batch/delete": {
			post: {
				operationId: "deleteInstanceBatch",
				summary: "Delete up to 100 instances; per-id errors (10400 for an unknown id)",
				parameters: [name],
				requestBody: {
					required: true,
					...json({ type: "object", required: ["instances"], properties: { instances: { type: "array", maxItems: 100, items: { type: "string" } } } }),
				},
				responses: {
					200: ok("Deleted, with per-id errors", {
						type: "object",
						properties: {
							deleted: { type: "array", items: { type: "object", properties: { id: { type: "string" } } } },
							errors: {
								type: "array",
								items: { type: "object", properties: { id: { type: "string" }, code: { type: "integer" }, message: { type: "string" } } },
							},
						},
					}),
					...errors(400, 404),
				},
			},
		},
		"/api/workflows/{name}/instances/purge": {
			post: {
				operationId: "purgeInstances",
				summary: "Delete finished instances that ended more than olderThan ago",
				parameters: [name],
				requestBody: {
					required: false,
					...json({
						type: "object",
						additionalProperties: false,
						properties: { olderThan: { type: ["string", "integer"] }, statuses: { type: "array", items: { enum: ["complete", "errored", "terminated"] } } },
					}),
				},
				responses: { 200: ok("How many were deleted", { type: "object", properties: { deleted: { type: "integer" } } }), ...errors(400, 404) },
			},
		},
		"/api/workflows/{name}/instances/{id}/fork": {
			post: {
				operationId: "forkInstance",
				summary: "A new instance from this one's params (or new ones) and its journal before a step; the original is untouched",
				parameters: [name, id],
				requestBody: { required: false, ...json(ref("ForkRequest")) },
				responses: { 201: ok("Queued", ref("CreatedInstance")), ...errors(400, 404, 409, 413, 429) },
			},
		},
		"/api/workflows/{name}/instances/{id}/status": {
			patch: {
				operationId: "changeInstanceStatus",
				summary: "Pause, resume, terminate or restart",
				parameters: [name, id],
				requestBody: { required: true, ...json(ref("StatusChangeRequest")) },
				responses: { 200: ok("The status once applied", ref("StatusChange")), ...errors(400, 404, 409, 429) },
			},
		},
		"/api/workflows/{name}/instances/{id}/events/{type}": {
			post: {
				operationId: "sendEvent",
				summary: "Send an event; the body is its JSON payload",
				parameters: [name, id, param("type", "The event type", { type: "string", pattern: "^[a-zA-Z0-9_][a-zA-Z0-9-_]*$", maxLength: 100 })],
				requestBody: { required: false, ...json(anyJson) },
				responses: { 200: ok("Delivered or buffered", ref("EventSent")), ...errors(400, 404, 413) },
			},
		},
		"/api/workflows/{name}/instances/{id}/events/stream": {
			get: {
				operationId: "streamJournal",
				summary: "The journal as Server-Sent Events, live until the instance finishes",
				parameters: [
					name,
					id,
					query("cursor", "Resume after this seq (the last event id received)", { type: "integer", minimum: 0 }),
					{ name: "Last-Event-ID", in: "header", required: false, description: "Same as cursor; wins over it", schema: { type: "string" } },
				],
				responses: {
					200: {
						description: "One `event: <kind>` message per journal entry, `id: <seq>`, `data: <JournalEvent>`; then `event: end`, `data: {status}`",
						content: { "text/event-stream": { schema: { type: "string" } } },
					},
					...errors(400, 404),
				},
			},
		},
		"/api/workflows/{name}/instances/{id}/logs": {
			get: {
				operationId: "instanceLogs",
				summary: "What the instance's step bodies printed (console capture), attempt by attempt, in journal order",
				parameters: [name, id],
				responses: { 200: ok("The captured lines", ref("InstanceLogs")), ...errors(400, 404) },
			},
		},
		"/api/alerts": {
			get: {
				operationId: "listAlerts",
				summary: "The server's alert rules and their state",
				responses: { 200: ok("The rules", { type: "object", properties: { alerts: { type: "array", items: ref("AlertStatus") } } }), ...errors() },
			},
		},
		"/metrics": {
			get: {
				operationId: "metrics",
				summary: "Prometheus metrics (text exposition format); see docs/observability.md",
				responses: { 200: { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } }, ...errors() },
			},
		},
	},
	components: {
		securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "Required on every route when the server has a token" } },
		schemas: {
			InstanceLogs: {
				type: "object",
				required: ["logs"],
				properties: {
					logs: {
						type: "array",
						items: {
							type: "object",
							required: ["step", "count", "attempt", "at", "level", "message"],
							properties: {
								step: { type: "string" },
								count: { type: "integer" },
								attempt: { type: "integer" },
								at: { type: "string", format: "date-time" },
								level: { enum: ["debug", "info", "warn", "error"] },
								message: { type: "string" },
							},
						},
					},
				},
			},
			AlertStatus: {
				type: "object",
				required: ["name", "kind", "state", "since", "lastFiredAt", "detail"],
				properties: {
					name: { type: "string" },
					kind: { enum: ["stuck", "errorRate", "queueAge"] },
					state: { enum: ["ok", "firing"] },
					since: { type: "string", format: "date-time" },
					lastFiredAt: { ...nullableString, format: "date-time" },
					detail: { type: "string" },
				},
			},
			Error: {
				type: "object",
				required: ["error"],
				properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" } } } },
			},
			Health: { type: "object", properties: { status: { const: "ok" }, workflows: { type: "integer" }, activeActivations: { type: "integer" } } },
			InstanceCounts: { type: "object", additionalProperties: { type: "integer" }, propertyNames: { enum: STATUSES } },
			Retention: {
				type: ["object", "null"],
				properties: { success_retention: { type: ["string", "number"] }, error_retention: { type: ["string", "number"] } },
			},
			WorkflowSummary: {
				type: "object",
				properties: {
					name: { type: "string" },
					binding: { type: "string" },
					className: nullableString,
					instances: ref("InstanceCounts"),
					schedules: { type: "array", items: ref("WorkflowSchedule") },
				},
			},
			WorkflowSchedule: {
				type: "object",
				required: ["cron", "next"],
				description: "A cron schedule (UTC): each firing creates one instance with event.schedule set",
				properties: {
					cron: { type: "string" },
					next: { type: ["string", "null"], format: "date-time", description: "The next firing; null if the cron never fires again" },
					missed: { type: "integer", minimum: 1, description: "Firings skipped while no process ran (the latest of them ran once at start); absent when none" },
				},
			},
			WorkflowDescription: {
				allOf: [
					ref("WorkflowSummary"),
					{
						type: "object",
						properties: {
							module: nullableString,
							concurrency: { type: ["object", "null"], properties: { limit: { type: "integer" } } },
							retention: ref("Retention"),
						},
					},
				],
			},
			InstanceSummary: {
				type: "object",
				properties: {
					id: { type: "string" },
					workflow: { type: "string" },
					status: { enum: STATUSES },
					createdOn: { type: "string", format: "date-time" },
					startedOn: nullableString,
					endedOn: nullableString,
					modifiedOn: { type: "string", format: "date-time" },
					version: { ...nullableString, description: "The version of the workflow code that created it" },
				},
			},
			InstancePage: { type: "object", properties: { instances: { type: "array", items: ref("InstanceSummary") }, cursor: nullableString } },
			CreateInstance: { type: "object", additionalProperties: false, properties: { id: idPattern, params: anyJson } },
			CreatedInstance: { type: "object", properties: { id: { type: "string" }, workflow: { type: "string" }, status: { enum: STATUSES } } },
			BatchResult: {
				type: "object",
				properties: {
					created: { type: "array", items: ref("CreatedInstance") },
					errors: {
						type: "array",
						items: {
							type: "object",
							properties: { index: { type: "integer" }, id: { type: "string" }, code: { type: "integer" }, message: { type: "string" } },
						},
					},
				},
			},
			TimelineItem: {
				type: "object",
				required: ["type"],
				description:
					"type step: name, count, start, end, success, output, error, config, attempts[{start, end, success, error, logs[{at, level, message}]}], nextAttemptAt; sleep: name, count, start, end, finished; waitForEvent: name, count, event_type, start, end, finished, output, error; termination: at",
				properties: {
					type: { enum: ["step", "sleep", "waitForEvent", "termination"] },
					name: { type: "string" },
					count: { type: "integer" },
					output: anyJson,
					error: errorRecord,
				},
			},
			InstanceDetails: {
				type: "object",
				properties: {
					id: { type: "string" },
					workflow: { type: "string" },
					status: { enum: STATUSES },
					params: anyJson,
					queued: { type: "string" },
					start: nullableString,
					end: nullableString,
					success: { type: ["boolean", "null"] },
					output: anyJson,
					error: errorRecord,
					generation: { type: "integer" },
					version: { ...nullableString, description: "The version of the workflow code that created it" },
					versions: {
						type: "array",
						description: "Every version that ran it, from when it first did",
						items: { type: "object", properties: { version: { type: "string" }, since: { type: "string", format: "date-time" } } },
					},
					steps: { type: "array", items: ref("TimelineItem") },
					rollback: {
						type: ["object", "null"],
						description: "How the rollback chain ended",
						properties: { outcome: { enum: ["complete", "failed"] }, error: errorRecord },
					},
					rollbacks: { type: "array", description: "The rollback handlers that ran when the instance failed, in order", items: ref("TimelineItem") },
				},
			},
			StatusChangeRequest: {
				type: "object",
				required: ["status"],
				additionalProperties: false,
				properties: {
					status: { enum: ["pause", "resume", "terminate", "restart"] },
					rollback: { type: "boolean", description: 'With "terminate": run the rollback handlers first' },
					from: {
						type: "object",
						required: ["name"],
						properties: { name: { type: "string" }, count: { type: "integer", minimum: 1 }, type: { enum: ["do", "sleep", "waitForEvent"] } },
					},
				},
			},
			ForkRequest: {
				type: "object",
				additionalProperties: false,
				properties: {
					from: {
						type: "object",
						required: ["name"],
						properties: { name: { type: "string" }, count: { type: "integer", minimum: 1 }, type: { enum: ["do", "sleep", "waitForEvent"] } },
					},
					params: anyJson,
					id: idPattern,
				},
			},
			History: {
				type: "object",
				description: "An instance's journal as one versioned document (docs/history-format.md has its JSON Schema)",
				required: ["format", "version", "workflow", "instanceId", "exportedAt", "instance", "entries"],
				properties: {
					format: { const: "weft.history" },
					version: { type: "integer", minimum: 1 },
					workflow: { type: "string" },
					instanceId: { type: "string" },
					exportedAt: { type: "string", format: "date-time" },
					instance: { type: "object" },
					entries: { type: "array", items: { type: "object", properties: { seq: { type: "integer" }, at: { type: "integer" }, entry: { type: "object" } } } },
				},
			},
			StatusChange: { type: "object", properties: { id: { type: "string" }, status: { enum: STATUSES }, timestamp: { type: "string" } } },
			EventSent: { type: "object", properties: { instanceId: { type: "string" }, type: { type: "string" }, timestamp: { type: "string" } } },
		},
	},
} as const;
