// Alerts with several processes on one PostgreSQL schema: two servers evaluate the rules but one
// notifies (the holder of the "alerts" role), each state change exactly once; when the holder
// stops, the other takes the role over and notifies the next change. Errored instances a
// `weft worker` finished count in a server's errorRate rule (the shared finish tally).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WeftClient } from "@weft/client";
import { Engine } from "@weft/core";
import { PostgresStore } from "@weft/store-postgres";
import { freshSchema, POSTGRES_URL, probePostgres, sql } from "@weft/store-postgres/test-database";
import { createTelemetry } from "@weft/telemetry";
import { startWebhookReceiver, untilFinished } from "./observability-fixture.js";
import { makeProject } from "./project-fixture.js";
import { startWorker } from "./run-worker.js";
import { serveProject } from "./serve-project.js";
import { until } from "./until.js";

const WORKFLOWS_JS = `
import { NonRetryableError, WorkflowEntrypoint } from "weft";
export class Ok extends WorkflowEntrypoint {
	async run(_event, step) {
		return step.do("work", async () => "done");
	}
}
export class Broken extends WorkflowEntrypoint {
	async run(_event, step) {
		return step.do("boom", async () => {
			throw new NonRetryableError("broken on purpose");
		});
	}
}
`;

const RULE = { name: "errors", kind: "errorRate", over: 0.5, window: "1 hour" } as const;

function project(schema: string, webhook: string) {
	return makeProject({
		"package.json": '{ "type": "module" }',
		"weft.config.json": JSON.stringify({
			main: "./workflows.js",
			database: `${POSTGRES_URL}?schema=${schema}`,
			logs: { level: "error", echoConsole: false },
			alertWebhook: webhook,
			alertInterval: 1000,
			alerts: [RULE],
			workflows: [
				{ name: "ok", binding: "OK", class_name: "Ok" },
				{ name: "broken", binding: "BROKEN", class_name: "Broken" },
			],
		}),
		"workflows.js": WORKFLOWS_JS,
	});
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function roleRow(schema: string): Promise<{ holder: string; expires_at: number } | undefined> {
	const [row] = await sql<{ holder: string; expires_at: string }>(`SELECT holder, expires_at FROM "${schema}".roles WHERE role = 'alerts'`).catch(() => []);
	return row ? { holder: row.holder, expires_at: Number(row.expires_at) } : undefined;
}

/**
 * Waits until `holder` (or whoever holds the role, when null) has renewed the role once more:
 * its evaluation that took the role (a baseline, which notifies nothing) is over. Returns the holder.
 */
async function untilHolderSettled(schema: string, notHolder: string | null = null): Promise<string> {
	let first: { holder: string; expires_at: number } | undefined;
	await until(async () => {
		first = await roleRow(schema);
		return first !== undefined && first.holder !== notHolder && first.expires_at > Date.now() - 60_000;
	}, "a process to take the alerts role");
	const taken = first as { holder: string; expires_at: number };
	await until(async () => {
		const now = await roleRow(schema);
		return now?.holder === taken.holder && now.expires_at > taken.expires_at;
	}, "the holder to renew the alerts role");
	return taken.holder;
}

type Notification = { rule: { name: string }; state: string; detail: string };

const absent = await probePostgres();

if (absent !== null) {
	if (process.env.WEFT_REQUIRE_POSTGRES === "1")
		test("alerts on PostgreSQL", () => assert.fail(`WEFT_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${POSTGRES_URL}: ${absent}`));
	else
		test("alerts on PostgreSQL", (t) =>
			t.skip(`SKIPPED THE POSTGRESQL ALERT TESTS: no PostgreSQL at ${POSTGRES_URL} (${absent}); set WEFT_REQUIRE_POSTGRES=1 to fail instead`));
} else
	describe("alerts on PostgreSQL", () => {
		test("two servers on one schema: each change notified once, by the holder; the other takes over when it stops", async () => {
			const schema = freshSchema();
			const receiver = await startWebhookReceiver();
			const p = project(schema, receiver.url);
			const fail = (m: string, e: unknown) => assert.fail(`${m}: ${e}`);
			try {
				const a = await serveProject({ cwd: p.dir, port: 0, log: fail });
				const holderA = await untilHolderSettled(schema).catch(async (e) => {
					await a.close();
					throw e;
				});
				const b = await serveProject({ cwd: p.dir, port: 0, log: fail }).catch(async (e) => {
					await a.close();
					throw e;
				});
				const clientA = new WeftClient({ url: a.url });
				const clientB = new WeftClient({ url: b.url });
				try {
					await until(async () => (await clientB.alerts())[0]?.detail !== "not evaluated yet", "the second server to evaluate");
					assert.equal((await roleRow(schema))?.holder, holderA, "the first server keeps the role");

					// One errored instance, finished by either server: 100% > 50%.
					const broken = await clientA.workflow("broken").create();
					await untilFinished(clientA, [{ workflow: "broken", id: broken.id }]);
					await receiver.until(1);
					const [firing] = receiver.received as Notification[];
					assert.equal(firing?.state, "firing");
					assert.match(firing?.detail ?? "", /^1 of 1 instance finished in the last 1 hour errored/);
					// Both servers show it; neither notifies again.
					await until(async () => (await clientA.alerts())[0]?.state === "firing", "server A to list the rule firing");
					await until(async () => (await clientB.alerts())[0]?.state === "firing", "server B to list the rule firing");
					await pause(2500);
					assert.equal(receiver.received.length, 1, "one notification for two servers");
				} catch (e) {
					await b.close();
					throw e;
				} finally {
					await a.close();
				}
				try {
					// The holder stopped and handed the role back: B takes it over.
					await untilHolderSettled(schema, holderA);
					const oks = await Promise.all([1, 2].map(() => clientB.workflow("ok").create()));
					await untilFinished(
						clientB,
						oks.map((i) => ({ workflow: "ok", id: i.id })),
					);
					await receiver.until(2);
					const resolved = receiver.received[1] as Notification;
					assert.equal(resolved.state, "resolved");
					assert.match(resolved.detail, /^1 of 3 instances finished in the last 1 hour errored/);
					await pause(2500);
					assert.equal(receiver.received.length, 2, "the firing state is not notified again by the new holder");
				} finally {
					await b.close();
				}
			} finally {
				await receiver.close();
				p.cleanup();
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});

		test("instances a weft worker finished errored make a server's errorRate rule fire", async () => {
			const schema = freshSchema();
			const receiver = await startWebhookReceiver();
			const p = project(schema, receiver.url);
			// The server side runs no workflow itself (its engine knows none), so every finish it counts is the worker's.
			const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema, poolSize: 3, sharedByWorkers: true });
			const telemetry = createTelemetry({
				workflows: [
					{ name: "ok", concurrencyLimit: null },
					{ name: "broken", concurrencyLimit: null },
				],
				logLevel: "silent",
				tracing: null,
				alerts: [RULE],
				alertWebhook: receiver.url,
				alertIntervalMs: 1000,
			});
			const engine = new Engine({ store, workflows: {}, observer: telemetry.observer });
			try {
				await engine.start();
				telemetry.attach(engine);
				await untilHolderSettled(schema);
				const worker = await startWorker({ cwd: p.dir, log: (m, e) => assert.fail(`${m}: ${e}`) });
				try {
					const ids = await Promise.all([1, 2].map(async () => (await worker.engine.workflow("broken").create()).id));
					await until(async () => {
						const rows = await Promise.all(ids.map((id) => worker.engine.store.getInstance({ workflow: "broken", id })));
						return rows.every((r) => r?.status === "errored");
					}, "the worker to finish both instances");
					await receiver.until(1);
					const [firing] = receiver.received as Notification[];
					assert.equal(firing?.state, "firing");
					assert.match(firing?.detail ?? "", /^2 of 2 instances finished in the last 1 hour errored/);
					assert.equal(telemetry.alerts?.list()[0]?.state, "firing");
				} finally {
					await worker.close();
				}
			} finally {
				await engine.close({ graceMs: 0 });
				await telemetry.close();
				await receiver.close();
				p.cleanup();
				await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			}
		});
	});
