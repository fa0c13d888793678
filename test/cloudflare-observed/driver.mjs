// biome-ignore-all lint: probe code, kept as run against wrangler dev (loose types on purpose)
// Drives the probe workflows of src/index.ts against a running server (wrangler dev or weft dev)
// and writes everything observed as JSON. Usage: node driver.mjs <baseUrl> <out.json> [only,…]
const BASE = process.argv[2] ?? "http://127.0.0.1:8797";
const OUT = process.argv[3] ?? "observed.json";
const ONLY = process.argv[4]?.split(",");
const run = Date.now().toString(36);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const call = async (path, body) => {
	const r = await fetch(
		`${BASE}${path}`,
		body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
	);
	const text = await r.text();
	try {
		return { http: r.status, ...JSON.parse(text) };
	} catch {
		return { http: r.status, text };
	}
};
const TERMINAL = ["complete", "errored", "terminated"];
// Poll status; keep every distinct snapshot (minus timing noise) in order.
async function track(wf, id, ms = 20000, stopWhen = (s) => TERMINAL.includes(s?.status?.status)) {
	const seen = [];
	let last = "";
	const end = Date.now() + ms;
	let s;
	for (;;) {
		s = await call(`/status?wf=${wf}&id=${id}`);
		const k = JSON.stringify(s);
		if (k !== last) seen.push(s), (last = k);
		if (stopWhen(s) || Date.now() > end) break;
		await sleep(120);
	}
	return seen;
}
const results = {};
const scenario = async (name, fn) => {
	if (ONLY && !ONLY.some((o) => name.startsWith(o))) return;
	process.stderr.write(`${name}…\n`);
	try {
		results[name] = await fn();
	} catch (e) {
		results[name] = { driverError: String(e?.stack ?? e) };
	}
};

// 6/reflection first (no instance), then with one.
await scenario("reflect", async () => {
	const c = await call(`/create?wf=RESTART&id=refl-${run}`, {});
	await track("RESTART", `refl-${run}`);
	return { created: c, reflect: await call(`/reflect?wf=RESTART&id=refl-${run}`) };
});

// 1. rollback
const rb = async (tag, params, extra) => {
	const id = `rb-${tag}-${run}`;
	const created = await call(`/create?wf=RB&id=${id}`, params);
	let term;
	if (extra) term = await extra(id);
	const statuses = await track("RB", id);
	await sleep(300);
	return {
		params,
		created,
		term,
		statuses,
		log: await call(`/log?wf=RB&id=${id}`),
		subscribe: await call(`/subscribe?wf=RB&id=${id}&ms=1500`, {}),
	};
};
await scenario("rb.fail", () => rb("fail", { mode: "fail", slowMs: 700 }));
await scenario("rb.throwInRun", () => rb("throw", { mode: "throwInRun" }));
await scenario("rb.nonRetryable", () => rb("nr", { mode: "nonRetryable" }));
await scenario("rb.handlerThrows", () => rb("hthrow", { mode: "fail", handlerThrows: "book c" }));
await scenario("rb.handlerNonRetryable", () => rb("hnr", { mode: "fail", handlerThrows: "charge", handlerNonRetryable: true }));
await scenario("rb.ok", () => rb("ok", { mode: "ok" }));
const termAfter = (rollback) => async (id) => {
	await track("RB", id, 5000, (s) => (s?.status?.__LOCAL_DEV_STEP_OUTPUTS?.length ?? 0) >= 3 || s?.status?.status === "errored");
	await sleep(500);
	const t = await call(`/terminate?wf=RB&id=${id}${rollback ? "&rollback=1" : ""}`);
	const right = await call(`/status?wf=RB&id=${id}`);
	return { t, statusRightAfter: right };
};
await scenario("rb.terminateRollback", () => rb("termrb", { mode: "sleep", slowMs: 500 }, termAfter(true)));
await scenario("rb.terminatePlain", () => rb("term", { mode: "sleep" }, termAfter(false)));

// 2. delay functions
for (const variant of ["ok", "throws", "bad", "string"])
	await scenario(`delay.${variant}`, async () => {
		const id = `delay-${variant}-${run}`;
		const created = await call(`/create?wf=DELAY&id=${id}`, { variant });
		const statuses = await track("DELAY", id, 15000);
		return {
			created,
			statuses: statuses.slice(-1),
			log: await call(`/log?wf=DELAY&id=${id}`),
			subscribe: await call(`/subscribe?wf=DELAY&id=${id}&ms=1500`, {}),
		};
	});

// 3. limits.steps = 3 in wrangler.jsonc
for (const [tag, params] of [
	["steps3", { steps: 3 }],
	["steps4", { steps: 4 }],
	["sleeps3steps3", { sleeps: 3, steps: 3 }],
	["waits2steps2", { waits: 2, steps: 2 }],
])
	await scenario(`limit.${tag}`, async () => {
		const id = `limit-${tag}-${run}`;
		const created = await call(`/create?wf=LIMIT&id=${id}`, params);
		const statuses = await track("LIMIT", id, 15000);
		return { params, created, statuses: statuses.slice(-1), log: await call(`/log?wf=LIMIT&id=${id}`) };
	});
await scenario("limit.createOption", async () => {
	const id = `limit-opt-${run}`;
	const created = await call(`/createRaw?wf=LIMIT`, { id, params: { steps: 4 }, limits: { steps: 10 } });
	const statuses = await track("LIMIT", id, 15000);
	return { created, statuses: statuses.slice(-1) };
});

// 4. streams
await scenario("stream.read+replay", async () => {
	const id = `stream-read-${run}`;
	const created = await call(`/create?wf=STREAM&id=${id}`, { variant: "read" });
	const first = await track("STREAM", id);
	const restart = await call(`/restart?wf=STREAM&id=${id}`, { from: { name: "after" } });
	await sleep(300);
	const after = await track("STREAM", id);
	return {
		created,
		first: first.slice(-1),
		restart,
		after: after.slice(-1),
		log: await call(`/log?wf=STREAM&id=${id}`),
		subscribe: await call(`/subscribe?wf=STREAM&id=${id}&ms=1500`, {}),
	};
});
await scenario("stream.return", async () => {
	const id = `stream-ret-${run}`;
	const created = await call(`/create?wf=STREAM&id=${id}`, { variant: "return" });
	const st = await track("STREAM", id);
	return { created, status: st.slice(-1), outputInfo: await call(`/statusOutputInfo?wf=STREAM&id=${id}`), log: await call(`/log?wf=STREAM&id=${id}`) };
});
await scenario("stream.stringChunks", async () => {
	const id = `stream-str-${run}`;
	const created = await call(`/create?wf=STREAM&id=${id}`, { variant: "stringChunks" });
	const st = await track("STREAM", id);
	return { created, status: st.slice(-1), log: await call(`/log?wf=STREAM&id=${id}`) };
});

// 5. sensitive
await scenario("sensitive", async () => {
	const id = `sens-${run}`;
	const created = await call(`/create?wf=SENS&id=${id}`, {});
	const st = await track("SENS", id);
	return { id, created, status: st.slice(-1), log: await call(`/log?wf=SENS&id=${id}`), subscribe: await call(`/subscribe?wf=SENS&id=${id}&ms=1500`, {}) };
});

// 6. restart from / delete / deleteBatch / subscribe
await scenario("restart", async () => {
	const id = `rs-${run}`;
	await call(`/create?wf=RESTART&id=${id}`, { hold: true });
	await track("RESTART", id, 5000, (s) => (s?.status?.__LOCAL_DEV_STEP_OUTPUTS?.length ?? 0) >= 4);
	await sleep(400);
	const out = { logBefore: await call(`/log?wf=RESTART&id=${id}`) };
	out.fromB2 = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "b", count: 2 } });
	out.statusRightAfter = await call(`/status?wf=RESTART&id=${id}`);
	await sleep(1200);
	out.logAfterB2 = await call(`/log?wf=RESTART&id=${id}`);
	out.statusAfterB2 = await call(`/status?wf=RESTART&id=${id}`);
	out.fromUnknown = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "zzz" } });
	out.fromBcount5 = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "b", count: 5 } });
	out.fromWrongType = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "a", type: "sleep" } });
	out.fromBadType = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "a", type: "bogus" } });
	out.fromSleep = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "nap", type: "sleep" } });
	await sleep(1200);
	out.logAfterSleep = await call(`/log?wf=RESTART&id=${id}`);
	out.fromWait = await call(`/restart?wf=RESTART&id=${id}`, { from: { name: "go", type: "waitForEvent" } });
	await sleep(800);
	out.event = await call(`/event?wf=RESTART&id=${id}&type=go`, { ok: 1 });
	out.final = (await track("RESTART", id, 5000)).slice(-1);
	out.noFrom = await call(`/restart?wf=RESTART&id=${id}`);
	await sleep(1200);
	out.logAfterNoFrom = await call(`/log?wf=RESTART&id=${id}`);
	out.statusAfterNoFrom = await call(`/status?wf=RESTART&id=${id}`);
	return out;
});
await scenario("delete", async () => {
	const id = `del-${run}`;
	const id2 = `del2-${run}`;
	await call(`/create?wf=RESTART&id=${id}`, {});
	await call(`/create?wf=RESTART&id=${id2}`, { hold: true });
	await track("RESTART", id);
	const out = {};
	out.del = await call(`/delete?wf=RESTART&id=${id}`);
	out.statusAfterDelete = await call(`/status?wf=RESTART&id=${id}`);
	out.recreate = await call(`/create?wf=RESTART&id=${id}`, {});
	out.recreatedStatus = (await track("RESTART", id)).slice(-1);
	out.deleteBatch = await call(`/deleteBatch?wf=RESTART`, [id2, "nope-never", id2, id]);
	out.deleteBatchEmpty = await call(`/deleteBatch?wf=RESTART`, []);
	out.deleteBatchBadId = await call(`/deleteBatch?wf=RESTART`, ["bad id!"]);
	out.deleteUnknown = await call(`/delete?wf=RESTART&id=nope-never`);
	return out;
});
await scenario("subscribe", async () => {
	const id = `sub-${run}`;
	await call(`/create?wf=RESTART&id=${id}`, { hold: true });
	await sleep(300);
	const out = {};
	out.live = call(`/subscribe?wf=RESTART&id=${id}&ms=4000`, {});
	await sleep(1500);
	await call(`/event?wf=RESTART&id=${id}&type=go`, { v: 1 });
	out.live = await out.live;
	out.filtered = await call(`/subscribe?wf=RESTART&id=${id}&ms=1500`, { filter: ["step_completed", "workflow_completed"] });
	const ids = (out.live.events ?? []).map((e) => e.eventId);
	out.cursor = await call(`/subscribe?wf=RESTART&id=${id}&ms=1500`, { cursor: ids[ids.length - 3] });
	out.badCursor = await call(`/subscribe?wf=RESTART&id=${id}&ms=1500`, { cursor: "xyz" });
	out.badFilter = await call(`/subscribe?wf=RESTART&id=${id}&ms=1500`, { filter: ["nope"] });
	out.forAwait = await call(`/subscribe?wf=RESTART&id=${id}&ms=1500&forAwait=1`, {});
	return out;
});

const fs = await import("node:fs");
fs.writeFileSync(OUT, JSON.stringify(results, null, 1));
process.stderr.write(`wrote ${OUT}\n`);
