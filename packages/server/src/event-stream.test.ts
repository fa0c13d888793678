// The journal as Server-Sent Events: history first, then live entries, an `end` after the
// instance finishes, and resumption from any entry by cursor or Last-Event-ID.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type JournalEvent, parseSse } from "@weft/client";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer;
before(async () => {
	t = await startTestServer();
});
after(async () => {
	await t?.close();
});

test("subscribe follows a live instance to its end; a cursor resumes after any entry", async () => {
	const instance = await t.client.workflow("approval").create({ id: "live" });
	const seen: JournalEvent[] = [];
	for await (const entry of instance.subscribe()) {
		seen.push(entry);
		// The wait is journaled while the stream is open: send the event it waits for.
		if (entry.kind === "wait") await instance.sendEvent({ type: "approval", payload: { by: "ada" } });
	}
	assert.deepEqual(
		seen.map((e) => e.kind),
		["wait", "event", "finished"],
	);
	assert.equal(seen.at(-1)?.status, "complete");
	const seqs = seen.map((e) => e.seq);
	assert.deepEqual(
		seqs,
		[...seqs].sort((a, b) => a - b),
	);

	const resumed: JournalEvent[] = [];
	for await (const entry of instance.subscribe({ cursor: seqs[0] as number })) resumed.push(entry);
	assert.deepEqual(resumed, seen.slice(1));
	const none: JournalEvent[] = [];
	for await (const entry of instance.subscribe({ cursor: seqs.at(-1) as number })) none.push(entry);
	assert.deepEqual(none, []);
});

test("raw SSE: ids are seqs, Last-Event-ID wins over ?cursor=, and the stream ends with `end`", async () => {
	const instance = await t.client.workflow("greet").create({ id: "raw" });
	const all: { event: string; id: string | null }[] = [];
	for await (const m of instance.subscribe()) all.push({ event: m.kind, id: String(m.seq) });
	assert.ok(all.length >= 4, `entries: ${JSON.stringify(all)}`);
	const second = all[1]?.id as string;

	const res = await fetch(`${t.url}/api/workflows/greet/instances/raw/events/stream?cursor=0`, { headers: { "last-event-id": second } });
	assert.equal(res.status, 200);
	assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
	const messages = [];
	for await (const m of parseSse(res.body as ReadableStream<Uint8Array>)) messages.push(m);
	assert.deepEqual(
		messages.map((m) => m.id),
		[...all.slice(2).map((e) => e.id), all.at(-1)?.id],
		"entries after Last-Event-ID, then `end` (which carries no id of its own)",
	);
	assert.equal(messages.at(-1)?.event, "end");
	assert.deepEqual(JSON.parse(messages.at(-1)?.data as string), { status: "complete" });
});

test("closing the server ends an open stream", async () => {
	const other = await startTestServer();
	const instance = await other.client.workflow("approval").create({ id: "waits-forever" });
	const kinds: string[] = [];
	const outcome = (async () => {
		for await (const e of instance.subscribe({ maxReconnects: 0 })) kinds.push(e.kind);
	})().then(
		() => null,
		(e: { code?: string }) => e,
	);
	while (kinds.length === 0) await new Promise((r) => setTimeout(r, 10));
	await other.close();
	// The stream ended without `end`: the client knows it was cut off, not finished.
	assert.equal((await outcome)?.code, "connection.failed");
	assert.deepEqual(kinds, ["wait"]);
});
