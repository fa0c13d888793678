import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSse, type SseMessage } from "./parse-sse.js";

async function collect(chunks: string[]): Promise<SseMessage[]> {
	const encoder = new TextEncoder();
	async function* source() {
		for (const c of chunks) yield encoder.encode(c);
	}
	const out: SseMessage[] = [];
	for await (const m of parseSse(source())) out.push(m);
	return out;
}

test("messages split anywhere across chunks, with any line ending, parse the same", async () => {
	const text = ': hello\nid: 1\nevent: attempt\ndata: {"a":1}\n\nid: 2\r\ndata: line one\r\ndata: line two\r\n\r\nevent: end\rdata: done\r\r';
	const expected = [
		{ event: "attempt", data: '{"a":1}', id: "1" },
		{ event: "message", data: "line one\nline two", id: "2" },
		{ event: "end", data: "done", id: "2" },
	];
	assert.deepEqual(await collect([text]), expected);
	// Every split point, including between "\r" and "\n".
	for (let i = 1; i < text.length; i++) assert.deepEqual(await collect([text.slice(0, i), text.slice(i)]), expected, `split at ${i}`);
});

test("a message without data is not dispatched, and a trailing message without a blank line is dropped", async () => {
	assert.deepEqual(await collect(["event: ping\n\n", "data: x\n\n", "data: unfinished\n"]), [{ event: "message", data: "x", id: null }]);
});
