// Cloudflare's remaining step features: `sensitive: "output"` redacts a step's output wherever it
// is shown, and a step may return a ReadableStream. (`limits.steps`: step-limit.test.ts;
// `retries.delay` as a function: retry-delay-function.test.ts.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
import { startEngine, waitTerminal } from "./engine-harness.js";

class Secretive extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		const token = await step.do("fetch token", { sensitive: "output" }, async () => "s3cret-token");
		const shown = await step.do("use token", async () => `used ${token.length} chars`);
		return { shown };
	}
}

test('sensitive: "output" redacts the step\'s output in details and the journal stream, while the code gets the value', async () => {
	const h = await startEngine({ S: { name: "secretive", class: Secretive } });
	try {
		const i = await h.engine.bindings.S!.create({ id: "s" });
		assert.deepEqual((await waitTerminal(i)).output, { shown: "used 12 chars" });
		const d = await h.engine.details({ workflow: "secretive", id: "s" });
		const [fetch, use] = d.steps as { output: unknown; config: { sensitive?: string } }[];
		assert.equal(fetch?.output, "[REDACTED]");
		assert.equal(fetch?.config.sensitive, "output");
		assert.equal(use?.output, "used 12 chars");
		const journal = await h.engine.readJournal({ workflow: "secretive", id: "s" });
		assert.ok(!JSON.stringify(journal).includes("s3cret-token"), "the journal as shown holds no secret");
	} finally {
		await h.close();
	}
});

async function text(s: ReadableStream<Uint8Array>): Promise<string> {
	const parts: Uint8Array[] = [];
	for await (const p of s as unknown as AsyncIterable<Uint8Array>) parts.push(p);
	return new TextDecoder().decode(Buffer.concat(parts));
}

interface StreamParams {
	big?: boolean;
	/** Chunks given as strings (Cloudflare stores their UTF-8 bytes), or as numbers (refused). */
	chunks?: "strings" | "numbers";
}

class Streaming extends WorkflowEntrypoint<unknown, StreamParams> {
	async run(event: WorkflowEvent<StreamParams>, step: WorkflowStep) {
		const stream = await step.do("download", async () => {
			const words = ["hel", "lo ", "wörld"];
			const parts = event.payload?.big
				? Array.from({ length: 3 }, () => new Uint8Array(600_000))
				: event.payload?.chunks === "strings"
					? words
					: event.payload?.chunks === "numbers"
						? [1, 2]
						: words.map((p) => new TextEncoder().encode(p));
			return new ReadableStream({
				start(c) {
					for (const p of parts) c.enqueue(p);
					c.close();
				},
			});
		});
		// On a replay the stream comes back, new, from the journal.
		return step.do("read", async () => text(stream));
	}
}

for (const alwaysReplay of [false, true]) {
	test(`a step returning a ReadableStream stores its chunks and hands back a new stream${alwaysReplay ? " (always replay)" : ""}`, async () => {
		const h = await startEngine({ S: { name: "streaming", class: Streaming } }, { alwaysReplay });
		try {
			assert.deepEqual(await waitTerminal(await h.engine.bindings.S!.create({ id: "s" })), { status: "complete", output: "hello wörld" });
			const d = await h.engine.details({ workflow: "streaming", id: "s" });
			assert.equal((d.steps[0] as { output: unknown }).output, "[stream: 12 bytes in 3 chunks]");
			// The journal as the HTTP event stream and the CLI show it: the size, not the internal encoding.
			const download = (await h.engine.readJournal({ workflow: "streaming", id: "s" })).find((e) => e.kind === "attempt" && e.key === "do:download#1");
			assert.equal((download as { value?: unknown })?.value, "[stream: 12 bytes in 3 chunks]");
			const strings = await h.engine.bindings.S!.create({ id: "strings", params: { chunks: "strings" } });
			assert.deepEqual(await waitTerminal(strings), { status: "complete", output: "hello wörld" }, "string chunks are stored as their UTF-8 bytes");
			const numbers = await waitTerminal(await h.engine.bindings.S!.create({ id: "numbers", params: { chunks: "numbers" } }));
			assert.equal(numbers.status, "errored");
			assert.equal(
				numbers.error?.message,
				'the stream returned by step "download" has number chunks; a step may return a ReadableStream of Uint8Array (or string) chunks only',
			);
			const big = await waitTerminal(await h.engine.bindings.S!.create({ id: "big", params: { big: true } }));
			assert.equal(big.status, "errored");
			assert.match(big.error?.message ?? "", /returned a stream of more than 1048576 bytes/);
		} finally {
			await h.close();
		}
	});
}

test("run() returning a ReadableStream errors with a WorkflowFatalError that says the output cannot be stored", async () => {
	class ReturnsStream extends WorkflowEntrypoint {
		async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
			await step.do("before", async () => 1);
			return new ReadableStream<Uint8Array>({
				start(c) {
					c.enqueue(new Uint8Array([1]));
					c.close();
				},
			});
		}
	}
	const h = await startEngine({ R: { name: "returns-stream", class: ReturnsStream } });
	try {
		const s = await waitTerminal(await h.engine.bindings.R!.create());
		assert.equal(s.status, "errored");
		assert.equal(s.error?.name, "WorkflowFatalError");
		assert.match(s.error?.message ?? "", /^run\(\) returned a value which is not serialisable: Unserializable host object: ReadableStream/);
	} finally {
		await h.close();
	}
});
