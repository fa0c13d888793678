// What the browser tests run against: a real engine on a fresh SQLite file, the real HTTP server
// on an ephemeral port on 127.0.0.1 serving the built dashboard, and headless Chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Engine, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { type RunningServer, startServer } from "@weft/server";
import { type Browser, chromium, type Page } from "playwright-core";
import { createEngine } from "weft";

/** Whether the "charge" step can succeed; a test flips it to show a fix followed by a restart. */
export const payments = { working: false };

export class OrderWorkflow extends WorkflowEntrypoint<unknown, { orderId: string }> {
	async run(event: WorkflowEvent<{ orderId: string }>, step: WorkflowStep) {
		const order = await step.do("validate", async () => ({ id: event.payload.orderId, total: 42 }));
		const charge = await step.do("charge", { retries: { limit: 1, delay: 50, backoff: "constant" } }, async (ctx) => {
			console.log(`charging ${order.id}, attempt ${ctx.attempt}`);
			if (!payments.working) throw new Error(`card declined for ${order.id}`);
			return { chargeId: `ch_${order.id}` };
		});
		// Long enough for a test to see the instance wait and then finish while it watches.
		await step.sleep("settle", 1500);
		const shipment = await step.do("ship", async () => ({ tracking: `TRK-${order.id}` }));
		return { order, charge, shipment };
	}
}

export class ApprovalWorkflow extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent, step: WorkflowStep) {
		const approval = await step.waitForEvent<{ by: string }>("await approval", { type: "approval", timeout: "1 hour" });
		return { approvedBy: approval.payload.by };
	}
}

export class GreetWorkflow extends WorkflowEntrypoint<unknown, { name?: string }> {
	async run(event: WorkflowEvent<{ name?: string }>, step: WorkflowStep) {
		const greeting = await step.do("greet", async () => `Hello, ${event.payload?.name ?? "world"}!`);
		await step.sleep("pause for effect", 300);
		return { greeting };
	}
}

export interface DashboardServer {
	engine: Engine;
	url: string;
	/** The same engine served again with a token. */
	securedUrl: string;
	token: string;
	close(): Promise<void>;
}

export async function startDashboardServer(): Promise<DashboardServer> {
	const dir = mkdtempSync(join(tmpdir(), "weft-dashboard-test-"));
	const engine = await createEngine({
		database: join(dir, "dashboard.db"),
		workflows: {
			ORDERS: { name: "orders", class: OrderWorkflow },
			APPROVAL: { name: "approval", class: ApprovalWorkflow },
			GREET: { name: "greet", class: GreetWorkflow },
		},
	});
	const servers: RunningServer[] = [];
	try {
		const common = { engine, host: "127.0.0.1", port: 0, creationRate: false as const, streamPollMs: 50, log: (e: unknown) => console.error("[server]", e) };
		servers.push(await startServer(common));
		servers.push(await startServer({ ...common, token: "dashboard-s3cret" }));
	} catch (e) {
		for (const s of servers) await s.close();
		await engine.close({ graceMs: 0 });
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}
	return {
		engine,
		url: (servers[0] as RunningServer).url,
		securedUrl: (servers[1] as RunningServer).url,
		token: "dashboard-s3cret",
		async close() {
			try {
				for (const s of servers) await s.close();
				await engine.close({ graceMs: 1000 });
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		},
	};
}

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
	if (!existsSync(CHROMIUM))
		throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or point WEFT_CHROMIUM at one`);
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
	});
}

const SCREENSHOTS = fileURLToPath(new URL("../../../../../docs/screenshots/", import.meta.url));

/** With WEFT_SCREENSHOTS=1, saves the page as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
	if (process.env.WEFT_SCREENSHOTS !== "1") return;
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Polls until `check` returns a value (for state outside the page: the engine's). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}
