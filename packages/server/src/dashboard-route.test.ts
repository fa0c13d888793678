// The dashboard's static files: served at / and /assets/* before authentication (the page holds
// no data and must load to ask for the token), with the loopback Host check kept when there is no
// token; and state-changing requests from other origins refused when there is no token.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Engine } from "@weft/core";
import { createApi } from "./create-api.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer;
let engine: Engine;
const dir = mkdtempSync(join(tmpdir(), "weft-dashboard-build-"));
const HOST = { host: "127.0.0.1:8787" };

before(async () => {
	t = await startTestServer();
	engine = t.engine;
	mkdirSync(join(dir, "assets"));
	writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="./assets/app-1234.js"></script>');
	writeFileSync(join(dir, "assets", "app-1234.js"), "console.log('dashboard')");
});

after(async () => {
	await t.close();
	rmSync(dir, { recursive: true, force: true });
});

const codeOf = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

test("the page and its assets are served, with a CSP on the page and long caching on hashed assets", async () => {
	const { app } = createApi({ engine, dashboard: dir });
	const page = await app.request("/", { headers: HOST });
	assert.equal(page.status, 200);
	assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
	assert.match(await page.text(), /app-1234\.js/);
	assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
	assert.match(page.headers.get("content-security-policy") ?? "", /connect-src 'self'/);
	const script = await app.request("/assets/app-1234.js", { headers: HOST });
	assert.equal(script.status, 200);
	assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
	assert.match(script.headers.get("cache-control") ?? "", /immutable/);
	const head = await app.request("/", { method: "HEAD", headers: HOST });
	assert.equal(head.status, 200);
	assert.equal(await head.text(), "");
});

test("nothing outside the build is served, and other paths are the API's", async () => {
	const { app } = createApi({ engine, dashboard: dir });
	for (const path of ["/assets/missing.js", "/assets/..%2Findex.html", "/assets/.hidden", "/index.htm", "/assets/sub/x.js"]) {
		const r = await app.request(path, { headers: HOST });
		assert.equal(r.status, 404, path);
		assert.equal(await codeOf(r), "route.not_found", path);
	}
	assert.equal((await app.request("/api/workflows", { headers: HOST })).status, 200);
	const none = createApi({ engine, dashboard: false }).app;
	assert.equal(await codeOf(await none.request("/", { headers: HOST })), "route.not_found");
});

test("with a token the page loads without one, and the API still needs it", async () => {
	const { app } = createApi({ engine, dashboard: dir, token: "t0ken" });
	assert.equal((await app.request("/", { headers: HOST })).status, 200);
	assert.equal((await app.request("/assets/app-1234.js", { headers: HOST })).status, 200);
	const api = await app.request("/api/workflows", { headers: HOST });
	assert.equal(api.status, 401);
	assert.equal(await codeOf(api), "auth.missing_token");
	assert.equal(await codeOf(await app.request("/nope", { headers: HOST })), "auth.missing_token");
});

test("without a token, the page too is refused through a non-loopback Host (DNS rebinding)", async () => {
	const { app } = createApi({ engine, dashboard: dir });
	const r = await app.request("/", { headers: { host: "evil.example:8787" } });
	assert.equal(r.status, 403);
	assert.equal(await codeOf(r), "request.forbidden_host");
});

test("an unbuilt dashboard says how to build it", async () => {
	const { app } = createApi({ engine, dashboard: join(dir, "not-there") });
	const r = await app.request("/", { headers: HOST });
	assert.equal(r.status, 404);
	assert.match(await r.text(), /npm run build/);
});

test("without a token, only the server's own pages may change anything; reads and non-browser clients are unaffected", async () => {
	const post = (headers: Record<string, string>) =>
		fetch(`${t.url}/api/workflows/greet/instances`, { method: "POST", body: "{}", headers: { "content-type": "application/json", ...headers } });
	const otherLocalPage = await post({ origin: "http://localhost:5173", "sec-fetch-site": "cross-site" });
	assert.equal(otherLocalPage.status, 403);
	assert.equal(await codeOf(otherLocalPage), "request.forbidden_origin");
	const otherPort = await post({ origin: t.url.replace(/:\d+$/, ":1") });
	assert.equal(await codeOf(otherPort), "request.forbidden_origin", "same host, another port: another origin");
	const noOriginButCrossSite = await post({ "sec-fetch-site": "same-site" });
	assert.equal(await codeOf(noOriginButCrossSite), "request.forbidden_origin");
	assert.equal((await t.client.workflow("greet").list()).instances.length, 0, "none of them created anything");
	assert.equal((await post({ origin: t.url, "sec-fetch-site": "same-origin" })).status, 201, "the dashboard itself");
	assert.equal((await post({})).status, 201, "the CLI, curl and the client send no Origin");
	assert.equal((await fetch(`${t.url}/api/workflows`, { headers: { origin: "http://localhost:5173" } })).status, 200, "reads from loopback pages stay open");
});
