// A server with a token answers 401 without it or with a wrong one, on every route; with it,
// everything works. Creation beyond the rate answers 429 with Retry-After.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { test } from "node:test";
import { WeftApiError, WeftClient } from "@weft/client";
import { ServerError } from "./server-error.js";
import { startTestServer } from "./server-harness.js";
import { startServer } from "./start-server.js";

test("every route needs the bearer token when the server has one", async () => {
	const t = await startTestServer({ token: "s3cret-token" });
	try {
		const routes = [
			"/healthz",
			"/api/openapi.json",
			"/api/workflows",
			"/api/workflows/greet/instances",
			"/api/workflows/greet/instances/x/events/stream",
			"/nope",
		];
		for (const path of routes) {
			const none = await fetch(t.url + path);
			assert.equal(none.status, 401, path);
			assert.equal(((await none.json()) as { error: { code: string } }).error.code, "auth.missing_token", path);
			assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
			const wrong = await fetch(t.url + path, { headers: { authorization: "Bearer s3cret-tokeN" } });
			assert.equal(wrong.status, 401, path);
			assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, "auth.invalid_token", path);
		}
		const posted = await fetch(`${t.url}/api/workflows/greet/instances`, { method: "POST", body: "{}", headers: { authorization: "Basic abc" } });
		assert.equal(posted.status, 401);

		await assert.rejects(new WeftClient({ url: t.url }).workflows(), (e) => e instanceof WeftApiError && e.code === "auth.missing_token" && e.status === 401);
		await assert.rejects(
			new WeftClient({ url: t.url, token: "nope" }).workflow("greet").create(),
			(e) => e instanceof WeftApiError && e.code === "auth.invalid_token",
		);
		const created = await t.client.workflow("greet").create({ id: "with-token" });
		assert.equal(created.id, "with-token");
		assert.equal((await fetch(`${t.url}/healthz`, { headers: { authorization: "Bearer s3cret-token" } })).status, 200);
	} finally {
		await t.close();
	}
});

test("listening beyond loopback without a token is refused before binding", async () => {
	const t = await startTestServer();
	try {
		await assert.rejects(startServer({ engine: t.engine, host: "0.0.0.0", port: 0 }), (e) => e instanceof ServerError && e.code === "server.token_required");
	} finally {
		await t.close();
	}
});

test("creation is rate-limited per workflow: 429 with Retry-After, other workflows unaffected", async () => {
	const t = await startTestServer({ creationRate: { perSecond: 0.5, burst: 2 } });
	try {
		const greet = t.client.workflow("greet");
		await greet.create();
		await greet.create();
		const limited = await fetch(`${t.url}/api/workflows/greet/instances`, { method: "POST", body: "{}" });
		assert.equal(limited.status, 429);
		assert.equal(limited.headers.get("retry-after"), "2");
		assert.equal(((await limited.json()) as { error: { code: string } }).error.code, "rate_limit.exceeded");
		await assert.rejects(
			greet.createBatch({ count: 2 }),
			(e) => e instanceof WeftApiError && e.status === 429 && e.retryAfterSeconds !== null && e.retryAfterSeconds >= 1,
		);
		await t.client.workflow("approval").create();
		assert.equal((await greet.list()).instances.length, 2, "nothing was created past the limit");
	} finally {
		await t.close();
	}
});

test("without a token, web pages and non-loopback Host names are refused (CSRF, DNS rebinding)", async () => {
	const t = await startTestServer();
	try {
		const fromPage = await fetch(`${t.url}/api/workflows/greet/instances`, { method: "POST", body: "{}", headers: { origin: "https://evil.example" } });
		assert.equal(fromPage.status, 403);
		assert.equal(((await fromPage.json()) as { error: { code: string } }).error.code, "request.forbidden_origin");
		const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
			const req = httpRequest(`${t.url}/api/workflows`, { headers: { host: "evil.example:8787" } }, (res) => {
				let body = "";
				res.on("data", (d) => (body += d));
				res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
			});
			req.on("error", reject);
			req.end();
		});
		assert.equal(rebound.status, 403);
		assert.equal(JSON.parse(rebound.body).error.code, "request.forbidden_host");
		// A page served from the machine itself, the CLI and curl (no Origin) are fine.
		assert.equal((await fetch(`${t.url}/api/workflows`, { headers: { origin: "http://localhost:5173" } })).status, 200);
		assert.equal((await t.client.workflows()).length, 3);
		assert.equal((await t.client.workflow("greet").list()).instances.length, 0, "the page's POST created nothing");
	} finally {
		await t.close();
	}
});
