// Test support for the observability tests: a project whose workflows succeed, retry, sleep,
// fail, print and block on demand, and a webhook receiver on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WeftClient } from "@weft/client";

export const OBSERVED_WORKFLOWS_TS = `
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";

export class Ok extends WorkflowEntrypoint<unknown, { name: string }> {
	async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
		return step.do("work", async () => {
			console.log("hello from", event.payload.name);
			console.warn("careful");
			return "done";
		});
	}
}
export class Flaky extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		await step.do("flaky", { retries: { limit: 2, delay: 10, backoff: "constant" } }, async (ctx) => {
			if (ctx.attempt === 1) throw new Error("first attempt fails");
			return ctx.attempt;
		});
		await step.sleep("nap", 20);
		return "ok";
	}
}
export class Broken extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		return step.do("boom", async () => {
			throw new NonRetryableError("broken on purpose");
		});
	}
}
export class Chatty extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		return step.do("chatter", async () => {
			for (let i = 0; i < 150; i++) console.log("line", i);
			return 150;
		});
	}
}
export class Blocked extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		return step.do("wait for the test", () => new Promise((resolve) => {
			(globalThis as { releaseBlocked?: (v: unknown) => void }).releaseBlocked = resolve;
		}));
	}
}
`;

export const OBSERVED_WORKFLOWS = [
	{ name: "ok", binding: "OK", class_name: "Ok", concurrency: { limit: 2 } },
	{ name: "flaky", binding: "FLAKY", class_name: "Flaky" },
	{ name: "broken", binding: "BROKEN", class_name: "Broken" },
	{ name: "chatty", binding: "CHATTY", class_name: "Chatty" },
	{ name: "blocked", binding: "BLOCKED", class_name: "Blocked" },
];

/** Polls until every given instance has finished (no time limit of its own: the test runner's applies). */
export async function untilFinished(client: WeftClient, instances: { workflow: string; id: string }[]): Promise<void> {
	for (const i of instances) {
		const remote = await client.workflow(i.workflow).get(i.id);
		while (!["complete", "errored", "terminated"].includes((await remote.status()).status)) await new Promise((r) => setTimeout(r, 10));
	}
}

/** The value of one sample line of a Prometheus exposition, e.g. sample(text, 'weft_instances{workflow="ok",status="complete"}'). */
export function sample(text: string, series: string): number | undefined {
	for (const line of text.split("\n")) {
		if (!line.startsWith(`${series} `)) continue;
		const value = line.slice(series.length + 1);
		return value === "+Inf" ? Number.POSITIVE_INFINITY : value === "-Inf" ? Number.NEGATIVE_INFINITY : Number(value);
	}
	return undefined;
}

export interface WebhookReceiver {
	url: string;
	/** Bodies received, in order. */
	received: unknown[];
	/** Resolves once `n` bodies have arrived. */
	until(n: number): Promise<void>;
	close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records JSON POSTs; the first `failFirst` answer 500. */
export async function startWebhookReceiver(failFirst = 0): Promise<WebhookReceiver> {
	const received: unknown[] = [];
	const waiters: { n: number; resolve: () => void }[] = [];
	let failures = 0;
	const server: Server = createServer((req, res) => {
		let body = "";
		req.on("data", (d) => (body += d));
		req.on("end", () => {
			if (failures < failFirst) {
				failures++;
				res.writeHead(500).end();
				return;
			}
			received.push(JSON.parse(body));
			res.writeHead(204).end();
			for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		received,
		until: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
