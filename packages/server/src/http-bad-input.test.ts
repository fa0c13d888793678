// Bad input at the edge: every case answers 4xx with `{ error: { code, message } }`, nothing
// answers 5xx, and the server is still up afterwards.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer;
before(async () => {
	t = await startTestServer();
	await t.client.workflow("approval").create({ id: "known" });
});
after(async () => {
	await t?.close();
});

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
	const res = await fetch(t.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
	const text = await res.text();
	let json: { error?: { code?: string; message?: string } } | undefined;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, json, headers: res.headers, text };
}

const I = "/api/workflows/approval/instances";
const cases: [string, string, string | undefined, number, string][] = [
	["POST", I, "{not json", 400, "request.invalid_json"],
	["POST", I, "[1, 2]", 400, "request.invalid_body"],
	["POST", I, '{"id": "x", "param": {}}', 400, "request.invalid_body"],
	["POST", I, '{"id": 42}', 400, "instance.invalid_id"],
	["POST", I, '{"id": "has space"}', 400, "instance.invalid_id"],
	["POST", I, `{"id": "${"a".repeat(101)}"}`, 400, "instance.invalid_id"],
	["POST", "/api/workflows/nope/instances", "{}", 404, "workflow.not_found"],
	["POST", `${I}/batch`, '{"instances": "no"}', 400, "batch.invalid"],
	["POST", `${I}/batch`, "{", 400, "request.invalid_json"],
	["GET", `${I}/bad.id`, undefined, 400, "instance.invalid_id"],
	["GET", `${I}/unknown`, undefined, 404, "instance.not_found"],
	["GET", `${I}/known/steps/no-such-step-1`, undefined, 404, "step.not_found"],
	["GET", `${I}/known/steps/nocount`, undefined, 400, "step.invalid_name"],
	["GET", `${I}/known/steps/x-1?type=banana`, undefined, 400, "request.invalid_query"],
	["PATCH", `${I}/known/status`, '{"status": "explode"}', 400, "request.invalid_body"],
	["PATCH", `${I}/known/status`, '{"status": "pause", "from": {"name": "x"}}', 400, "request.invalid_body"],
	["PATCH", `${I}/known/status`, '{"status": "restart", "from": "x"}', 400, "instance.invalid_restart"],
	["PATCH", `${I}/known/status`, "", 400, "request.invalid_body"],
	["PATCH", `${I}/unknown/status`, '{"status": "pause"}', 404, "instance.not_found"],
	["POST", `${I}/known/events/has.dot`, "{}", 400, "event.invalid_type"],
	["POST", `${I}/known/events/ok`, "{oops", 400, "request.invalid_json"],
	["POST", `${I}/unknown/events/ok`, "{}", 404, "instance.not_found"],
	["GET", `${I}/known/events/stream?cursor=abc`, undefined, 400, "journal.invalid_cursor"],
	["GET", `${I}/unknown/events/stream`, undefined, 404, "instance.not_found"],
	["GET", `${I}?limit=lots`, undefined, 400, "list.invalid_limit"],
	["GET", `${I}?createdFrom=yesterday`, undefined, 400, "list.invalid_date"],
	["GET", "/api/nothing-here", undefined, 404, "route.not_found"],
	["GET", "/no-such-page", undefined, 404, "route.not_found"], // (/ is the dashboard)
	["DELETE", I, undefined, 405, "route.method_not_allowed"],
	["PUT", "/healthz", undefined, 405, "route.method_not_allowed"],
];

test("malformed, unknown and invalid requests get the right 4xx and code", async () => {
	for (const [method, path, body, status, code] of cases) {
		const r = await call(method, path, body, body ? { "content-type": "application/json" } : {});
		assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
		assert.equal(r.json?.error?.code, code, `${method} ${path}: ${r.text}`);
		assert.equal(typeof r.json?.error?.message, "string");
	}
	assert.equal((await call("DELETE", I)).headers.get("allow"), "GET, POST");
});

test("bodies over 1 MiB are refused with 413, declared or streamed", async () => {
	const big = JSON.stringify({ params: "x".repeat(1024 * 1024) });
	const declared = await call("POST", I, big);
	assert.equal(declared.status, 413);
	assert.equal(declared.json?.error?.code, "request.body_too_large");
	// Chunked, with no Content-Length: the limit is counted as the bytes arrive.
	const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
		const req = httpRequest(`${t.url}${I}/known/events/big`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
			let body = "";
			res.on("data", (d) => (body += d));
			res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on("error", reject);
		for (let i = 0; i < 17; i++) req.write(`"${"y".repeat(64 * 1024)}"`);
		req.end();
	});
	assert.equal(streamed.status, 413);
	assert.equal(JSON.parse(streamed.body).error.code, "request.body_too_large");
});

test("the server is still alive and logged no failure of its own", async () => {
	const health = await call("GET", "/healthz");
	assert.equal(health.status, 200);
	assert.equal((await t.client.workflow("approval").get("known")).id, "known");
	assert.deepEqual(t.serverErrors, []);
});
