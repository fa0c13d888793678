// The built dashboard in headless Chromium against a real server: list and filter instances,
// open a failed one and read its error, restart it from a step and watch it finish live, start
// one from the playground, pause a selection, refuse a cross-origin page, sign in with a token.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { type DashboardServer, eventually, launchBrowser, payments, screenshot, startDashboardServer } from "./dashboard-fixture.js";

let server: DashboardServer;
let browser: Browser;

before(async () => {
	server = await startDashboardServer();
	browser = await launchBrowser();
	const orders = server.engine.workflow("orders");
	await orders.create({ id: "order-1", params: { orderId: "o-1" } });
	await orders.create({ id: "order-2", params: { orderId: "o-2" } });
	for (const id of ["approve-1", "approve-2", "approve-3", "approve-4"]) await server.engine.workflow("approval").create({ id });
	await eventually("both orders errored", async () => {
		const statuses = await Promise.all(["order-1", "order-2"].map(async (id) => (await (await orders.get(id)).status()).status));
		return statuses.every((s) => s === "errored");
	});
	await eventually("the approvals wait", async () => (await statusOf("approval", "approve-4")) === "waiting");
});

after(async () => {
	await browser?.close();
	await server?.close();
});

async function statusOf(workflow: string, id: string): Promise<string> {
	return (await (await server.engine.workflow(workflow).get(id)).status()).status;
}

async function openPage(url: string): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
	page.setDefaultTimeout(30_000);
	const problems: string[] = [];
	page.on("pageerror", (e) => problems.push(e.message));
	page.on("console", (m) => {
		if (m.type() === "error" && !/401|403/.test(m.text())) problems.push(m.text());
	});
	(page as Page & { problems: string[] }).problems = problems;
	await page.goto(url);
	return page;
}

/** The text of the (first) element; textContent, so it does not depend on layout. */
const text = async (locator: Locator) => (await locator.first().textContent()) ?? "";

const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

test("the overview shows instances by status per workflow and the recent failures", async () => {
	const page = await openPage(`${server.url}/`);
	try {
		const orders = page.locator('[data-testid="workflow-table"] tr[data-workflow="orders"]');
		await orders.waitFor();
		assert.equal(await text(orders.locator('td[data-count="errored"]')), "2");
		assert.equal(await text(orders.locator('td[data-count="complete"]')), "0");
		await page.locator('[data-testid="recent-failures"] a', { hasText: "order-1" }).waitFor();
		// /metrics and /api/alerts come from other parts of the server: shown when there, "not available" when not.
		await page.locator('[data-testid="metrics-unavailable"], [data-testid="engine-facts"]').first().waitFor();
		await page.locator('[data-testid="alerts-unavailable"], [data-testid="alerts"]').first().waitFor();
		assert.deepEqual(problemsOf(page), []);
	} finally {
		await page.close();
	}
});

test("the instance list filters by status and opens a failed instance with its failing attempts", async () => {
	const page = await openPage(`${server.url}/#/instances?workflow=orders`);
	try {
		const rows = page.locator('[data-testid="instance-list"] tbody tr');
		await rows.first().waitFor();
		assert.equal(await rows.count(), 2);
		await page.selectOption('select[name="status"]', "complete");
		await page.getByText("No instances match.").waitFor();
		assert.equal(await rows.count(), 0);
		await page.selectOption('select[name="status"]', "errored");
		await page.locator('tr[data-id="order-1"]').waitFor();
		assert.equal(await rows.count(), 2);
		assert.match(page.url(), /status=errored/, "the filter is in the URL, so it survives a reload");
		await screenshot(page, "instances");

		await page.click('tr[data-id="order-1"] a');
		await page.locator('.instance[data-status="errored"]').waitFor();
		assert.match(await text(page.locator('[data-testid="error"]')), /card declined for o-1/);
		// The failed step opens by itself: both attempts, each with its error, and the retry wait between them.
		const detail = page.locator('[data-testid="step-detail"][data-step="charge-1"]');
		await detail.waitFor();
		assert.equal(await detail.locator("li[data-attempt]").count(), 2);
		assert.match(await text(detail.locator('li[data-attempt="2"]')), /failed[\s\S]*card declined for o-1/);
		assert.equal(await page.locator('[data-testid="gantt"] [data-kind="attempt-failed"]').count(), 2);
		assert.equal(await page.locator('[data-testid="gantt"] [data-kind="retry-wait"]').count(), 1);
		assert.equal(await page.locator('[data-testid="waiting-reason"]').getAttribute("data-kind"), "finished");
		// Captured logs are shown when the server records them.
		const details = (await (await server.engine.workflow("orders").get("order-1")).details()) as { steps: { attempts?: { logs?: unknown[] }[] }[] };
		const logged = details.steps.some((s) => s.attempts?.some((a) => (a.logs?.length ?? 0) > 0));
		if (logged) assert.match(await text(detail.locator('li[data-attempt="1"] [data-testid="attempt-logs"]')), /charging o-1, attempt 1/);
		await screenshot(page, "instance-failed");
		assert.deepEqual(problemsOf(page), []);
	} finally {
		await page.close();
	}
});

test("restart from a step, then the page follows the instance live until it completes", async () => {
	const page = await openPage(`${server.url}/#/instances/orders/order-2`);
	try {
		await page.locator('.instance[data-status="errored"]').waitFor();
		// A marker on the window: had the page been reloaded, it would be gone.
		await page.evaluate(() => Object.assign(window, { stillThisPage: true }));
		payments.working = true;
		await page.click('[data-testid="step-detail"][data-step="charge-1"] [data-action="restart-from-step"]');
		// While it sleeps in "settle", the page says why it waits and follows the journal stream.
		await page.locator('[data-testid="waiting-reason"][data-kind="timer"]').waitFor();
		await page.locator(".live").waitFor();
		await screenshot(page, "instance-live");
		await page.locator('.instance[data-status="complete"]').waitFor();
		assert.equal(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage), true);
		assert.match(await text(page.locator('[data-label="instance-output"]')), /TRK-o-2/);
		assert.equal(await page.locator('[data-testid="gantt"] [data-row="step:ship#1"]').count(), 1);
		assert.equal(await statusOf("orders", "order-2"), "complete");
		const details = await (await server.engine.workflow("orders").get("order-2")).details();
		const validate = details.steps.find((s) => s.type === "step" && s.name === "validate");
		assert.equal(validate?.type === "step" && validate.attempts.length, 1, "restarting from charge kept validate's result");
		await screenshot(page, "instance-complete");
		assert.deepEqual(problemsOf(page), []);
	} finally {
		payments.working = false;
		await page.close();
	}
});

test("the playground starts an instance with the params typed in and shows it run to completion", async () => {
	const page = await openPage(`${server.url}/#/playground`);
	try {
		await page.locator('select[name="workflow"] option', { hasText: /^greet$/ }).waitFor({ state: "attached" });
		await page.selectOption('select[name="workflow"]', "greet");
		await page.fill('input[name="id"]', "from-playground");
		await page.fill('textarea[name="params"]', "{ not json");
		await page.click('[data-action="start"]');
		assert.match(await text(page.locator('[data-testid="playground-error"]')), /not JSON/);
		await page.fill('textarea[name="params"]', '{ "name": "Ada" }');
		await page.click('[data-action="start"]');
		await page.locator('.instance[data-status="complete"]').waitFor();
		assert.match(await text(page.locator('[data-label="instance-output"]')), /Hello, Ada!/);
		const details = await (await server.engine.workflow("greet").get("from-playground")).details();
		assert.deepEqual(details.params, { name: "Ada" });
		await screenshot(page, "playground");
		assert.deepEqual(problemsOf(page), []);
	} finally {
		await page.close();
	}
});

test("bulk pause applies to the selected instances only", async () => {
	const page = await openPage(`${server.url}/#/instances?workflow=approval`);
	try {
		await page.locator('tr[data-id="approve-4"]').waitFor();
		for (const id of ["approve-1", "approve-2", "approve-3"]) await page.check(`tr[data-id="${id}"] input[type="checkbox"]`);
		await page.click('[data-action="bulk-pause"]');
		assert.match(await text(page.locator('[data-testid="bulk-result"]')), /^pause: 3 done$/);
		assert.deepEqual(await Promise.all(["approve-1", "approve-2", "approve-3", "approve-4"].map((id) => statusOf("approval", id))), [
			"paused",
			"paused",
			"paused",
			"waiting",
		]);
		await page.locator('tr[data-id="approve-1"] [data-status="paused"]').waitFor();
		assert.deepEqual(problemsOf(page), []);
	} finally {
		await page.close();
	}
});

test("a page on another origin, even on 127.0.0.1, cannot change anything", async () => {
	// A page from another local web server (another port: another origin) posts to the API, as a form
	// or a no-cors fetch can without any preflight.
	const evil: Server = createServer((_req, res) => {
		res.setHeader("content-type", "text/html");
		res.end(
			`<script>fetch(${JSON.stringify(`${server.url}/api/workflows/greet/instances`)}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: '{"id":"planted"}' }).then(() => { document.title = "sent"; }, () => { document.title = "sent"; });</script>`,
		);
	});
	await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
	const page = await browser.newPage();
	try {
		await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
		await page.waitForFunction(() => document.title === "sent");
		await assert.rejects(server.engine.workflow("greet").get("planted"), { code: "instance.not_found" });
	} finally {
		await page.close();
		await new Promise((r) => evil.close(r));
	}
});

test("the overview charts throughput from successive samples while it is open", async () => {
	const page = await openPage(`${server.url}/`);
	try {
		await page.locator('[data-chart="Throughput"]').waitFor();
		const greet = server.engine.workflow("greet");
		for (let i = 1; i <= 5; i++) await greet.create({ id: `burst-${i}`, params: { name: `n${i}` } });
		// A point needs two samples (a poll every 3 s); wait for the chart to have some.
		await page.waitForFunction(() => Number(document.querySelector('[data-chart="Throughput"]')?.getAttribute("data-points")) >= 2, undefined, {
			timeout: 20_000,
		});
		await page.locator('[data-testid="workflow-table"] tr[data-workflow="greet"] td[data-count="complete"]', { hasText: /^[1-9]/ }).waitFor();
		await screenshot(page, "overview");
		assert.deepEqual(problemsOf(page), []);
	} finally {
		await page.close();
	}
});

test("with a token the dashboard shows nothing until signed in, and keeps the token for the tab only", async () => {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.setDefaultTimeout(30_000);
	try {
		await page.goto(`${server.securedUrl}/`);
		await page.locator('[data-testid="login"]').waitFor();
		const body = await text(page.locator("body"));
		assert.doesNotMatch(body, /orders|approval|greet/, "no workflow is shown before signing in");
		await screenshot(page, "login");
		await page.fill('input[name="token"]', "not-the-token");
		await page.click('[data-testid="login"] button[type="submit"]');
		assert.match(await text(page.locator('[data-testid="login-error"]')), /not this server's token/);
		await page.fill('input[name="token"]', server.token);
		await page.click('[data-testid="login"] button[type="submit"]');
		await page.locator('[data-testid="workflow-table"] tr[data-workflow="orders"]').waitFor();
		assert.equal(await page.evaluate(() => sessionStorage.getItem("weft.token")), server.token);
		// A reload keeps the session; an action made with the token works.
		await page.reload();
		await page.goto(`${server.securedUrl}/#/instances/approval/approve-1`);
		await page.locator('.instance[data-status="paused"]').waitFor();
		await page.click('[data-action="resume"]');
		await page.locator('.instance[data-status="waiting"]').waitFor();
		assert.equal(await statusOf("approval", "approve-1"), "waiting");
		// A new tab (a new session) asks again.
		const other = await browser.newContext();
		const fresh = await other.newPage();
		await fresh.goto(`${server.securedUrl}/`);
		await fresh.locator('[data-testid="login"]').waitFor();
		await other.close();
	} finally {
		await context.close();
	}
});
