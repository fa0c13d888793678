// Test support: a real engine on a fresh SQLite file and a real server on an ephemeral port on
// 127.0.0.1, with a client pointed at it. close() stops both and removes the files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WeftClient } from "@weft/client";
import { type Engine, NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { createEngine } from "weft";
import type { CreationRate } from "./creation-rate-limiter.js";
import { type RunningServer, startServer } from "./start-server.js";

export class GreetWorkflow extends WorkflowEntrypoint<unknown, { name?: string }> {
	async run(event: WorkflowEvent<{ name?: string }>, step: WorkflowStep) {
		const greeting = await step.do("greet", async () => `Hello, ${event.payload?.name ?? "world"}!`);
		await step.sleep("short nap", 20);
		const shout = await step.do("flaky shout", { retries: { limit: 2, delay: 10, backoff: "constant" } }, async (ctx) => {
			if (ctx.attempt === 1) throw new Error("planned failure on attempt 1");
			return greeting.toUpperCase();
		});
		return { greeting, shout };
	}
}

export class ApprovalWorkflow extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent, step: WorkflowStep) {
		const approval = await step.waitForEvent<{ by: string }>("await approval", { type: "approval", timeout: "1 hour" });
		return { approvedBy: approval.payload.by };
	}
}

export class FailingWorkflow extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent, step: WorkflowStep) {
		await step.do("doomed", async () => {
			throw new NonRetryableError("this input can never work");
		});
	}
}

export interface TestServer {
	engine: Engine;
	server: RunningServer;
	client: WeftClient;
	url: string;
	/** Engine errors seen so far; a test may assert there are none. */
	engineErrors: string[];
	serverErrors: unknown[];
	close(): Promise<void>;
}

export async function startTestServer(options: { token?: string; creationRate?: CreationRate | false; streamPollMs?: number } = {}): Promise<TestServer> {
	const dir = mkdtempSync(join(tmpdir(), "weft-server-test-"));
	const engineErrors: string[] = [];
	const serverErrors: unknown[] = [];
	const engine = await createEngine({
		database: join(dir, "test.db"),
		workflows: {
			GREET: { name: "greet", class: GreetWorkflow },
			APPROVAL: { name: "approval", class: ApprovalWorkflow },
			FAILING: { name: "failing", class: FailingWorkflow },
		},
		onError: (e, context) => engineErrors.push(`${context}: ${e instanceof Error ? e.stack : String(e)}`),
	});
	let server: RunningServer;
	try {
		server = await startServer({
			engine,
			port: 0,
			host: "127.0.0.1",
			token: options.token,
			creationRate: options.creationRate ?? false,
			streamPollMs: options.streamPollMs ?? 20,
			log: (e) => serverErrors.push(e),
		});
	} catch (e) {
		await engine.close();
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}
	return {
		engine,
		server,
		url: server.url,
		client: new WeftClient({ url: server.url, token: options.token }),
		engineErrors,
		serverErrors,
		async close() {
			try {
				await server.close();
				await engine.close({ graceMs: 1000 });
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		},
	};
}

/** Polls the instance until it is complete, errored or terminated. */
export async function waitFinished(client: WeftClient, workflow: string, id: string, timeoutMs = 10_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { status } = await (await client.workflow(workflow).get(id)).status();
		if (status === "complete" || status === "errored" || status === "terminated") return status;
		if (Date.now() > deadline) throw new Error(`instance ${workflow}/${id} is still ${status} after ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 20));
	}
}
