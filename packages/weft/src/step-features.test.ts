// Cloudflare's remaining step features: `sensitive: "output"` redacts a step's output wherever it
// is shown, and `limits.steps` bounds the steps and waits of an instance (sleeps do not count).
import assert from "node:assert/strict";
import { test } from "node:test";
import { WeftError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "@weft/core";
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

class Busy extends WorkflowEntrypoint<unknown, { steps: number }> {
	async run(event: WorkflowEvent<{ steps: number }>, step: WorkflowStep) {
		for (let i = 0; i < event.payload.steps; i++) {
			await step.sleep(`nap ${i}`, 0);
			try {
				await step.do(`work ${i}`, async () => i);
			} catch {
				// A limit is not something the code can catch its way past.
			}
		}
		return "done";
	}
}

test("limits.steps fails an instance that asks for more steps; sleeps do not count; a bad limit is refused", async () => {
	const h = await startEngine({ B: { name: "busy", class: Busy, limits: { steps: 5 } } });
	try {
		assert.equal((await waitTerminal(await h.engine.bindings.B!.create({ params: { steps: 5 } }))).status, "complete");
		const over = await waitTerminal(await h.engine.bindings.B!.create({ params: { steps: 6 } }));
		assert.equal(over.status, "errored");
		assert.match(over.error?.message ?? "", /exceeded its limit of 5 steps/);
	} finally {
		await h.close();
	}
	await assert.rejects(
		startEngine({ B: { name: "busy", class: Busy, limits: { steps: 30_000 } } }),
		(e) => e instanceof WeftError && e.code === "workflow.invalid_limits",
	);
});

class Dynamic extends WorkflowEntrypoint {
	async run(_e: WorkflowEvent, step: WorkflowStep) {
		return step.do(
			"flaky",
			{ retries: { limit: 3, delay: ({ error }: { error: Error }) => (error.message === "slow down" ? 40 : 10), backoff: "exponential" } },
			async (ctx) => {
				if (ctx.attempt === 1) throw new Error("slow down");
				if (ctx.attempt === 2) throw new Error("again");
				return ctx.config.retries.delay;
			},
		);
	}
}

test("retries.delay as a function: each wait is what it returns for that failure (no backoff); it shows as [dynamic]", async () => {
	const h = await startEngine({ D: { name: "dynamic", class: Dynamic } });
	try {
		const s = await waitTerminal(await h.engine.bindings.D!.create({ id: "d" }));
		assert.deepEqual(s, { status: "complete", output: "[dynamic]" });
		const waits = (await h.engine.readJournal({ workflow: "dynamic", id: "d" }))
			.filter((e) => e.kind === "attempt" && !e.ok)
			.map((e) => (e as { retryAt: number; endedAt: number }).retryAt - (e as { endedAt: number }).endedAt);
		assert.deepEqual(waits, [40, 10]);
	} finally {
		await h.close();
	}
});

async function text(s: ReadableStream<Uint8Array>): Promise<string> {
	const parts: Uint8Array[] = [];
	for await (const p of s as unknown as AsyncIterable<Uint8Array>) parts.push(p);
	return new TextDecoder().decode(Buffer.concat(parts));
}

class Streaming extends WorkflowEntrypoint<unknown, { big?: boolean }> {
	async run(event: WorkflowEvent<{ big?: boolean }>, step: WorkflowStep) {
		const stream = await step.do("download", async () => {
			const parts = event.payload?.big
				? Array.from({ length: 3 }, () => new Uint8Array(600_000))
				: ["hel", "lo ", "world"].map((p) => new TextEncoder().encode(p));
			return new ReadableStream<Uint8Array>({
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
			assert.deepEqual(await waitTerminal(await h.engine.bindings.S!.create({ id: "s" })), { status: "complete", output: "hello world" });
			const d = await h.engine.details({ workflow: "streaming", id: "s" });
			assert.equal((d.steps[0] as { output: unknown }).output, "[stream: 11 bytes in 3 chunks]");
			const big = await waitTerminal(await h.engine.bindings.S!.create({ id: "big", params: { big: true } }));
			assert.equal(big.status, "errored");
			assert.match(big.error?.message ?? "", /returned a stream of more than 1048576 bytes/);
		} finally {
			await h.close();
		}
	});
}
