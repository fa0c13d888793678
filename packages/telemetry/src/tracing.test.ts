// One trace per instance, collected in memory: instance → activation → step → attempt, sleeps and
// waits as spans of the activation that saw them end, and the attempt span active inside the body.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createEngine, instanceTraceIds, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { startTracing } from "./tracing.js";

/** What the step body saw: the active span, and the span it started itself. */
const seen: { active?: string | undefined; inner?: string | undefined } = {};

class Traced extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		await step.do("fetch", { retries: { limit: 1, delay: 5, backoff: "constant" } }, async (ctx) => {
			if (ctx.attempt === 1) throw new Error("flaky upstream");
			await new Promise((r) => setImmediate(r));
			seen.active = trace.getSpan(context.active())?.spanContext().spanId;
			trace.getTracer("test").startActiveSpan("inner call", (span) => {
				seen.inner = span.spanContext().spanId;
				span.end();
			});
			return "fetched";
		});
		await step.sleep("nap", 5);
		const approval = await step.waitForEvent("approval", { type: "go", timeout: "1 minute" });
		return approval.payload;
	}
}

test("an instance's spans form one trace: instance → activation → step → attempt, with sleeps, waits and body spans", async () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-tracing-"));
	const exporter = new InMemorySpanExporter();
	const tracing = startTracing([new SimpleSpanProcessor(exporter)]);
	const engine = await createEngine({ database: join(dir, "weft.db"), workflows: { TRACED: { name: "traced", class: Traced } }, observer: tracing.observer });
	tracing.attach(engine);
	try {
		const instance = await engine.bindings.TRACED.create({ id: "traced-1" });
		while ((await instance.status()).status !== "waiting" || (await instance.details()).steps.length < 3) await new Promise((r) => setTimeout(r, 5));
		await instance.sendEvent({ type: "go", payload: "yes" });
		while ((await instance.status()).status !== "complete") await new Promise((r) => setTimeout(r, 5));
		// The root span is emitted once the completion is acknowledged, just after the status shows it.
		while (!exporter.getFinishedSpans().some((s) => s.name === "workflow traced")) await new Promise((r) => setTimeout(r, 5));

		const createdAt = Date.parse((await instance.details()).queued);
		const ids = instanceTraceIds("traced", "traced-1", createdAt);
		const spans = exporter.getFinishedSpans();
		assert.ok(
			spans.every((s) => s.spanContext().traceId === ids.traceId),
			"every span is in the instance's trace",
		);
		const byName = (name: string) => spans.filter((s) => s.name === name);
		const parentOf = (s: ReadableSpan | undefined) => s?.parentSpanContext?.spanId;
		const idOf = (s: ReadableSpan | undefined) => s?.spanContext().spanId;

		const [root] = byName("workflow traced");
		assert.ok(root, "the instance's root span, emitted when it completed");
		assert.equal(idOf(root), ids.spanId);
		assert.equal(parentOf(root), undefined);

		const activations = byName("activation traced");
		assert.ok(activations.length >= 3, `at least 3 activations (retry, sleep, event); got ${activations.length}`);
		for (const a of activations) assert.equal(parentOf(a), ids.spanId, "activations hang under the instance");
		const activationIds = new Set(activations.map(idOf));

		const steps = byName("step fetch");
		assert.equal(steps.length, 2, "one step span per activation that ran an attempt");
		for (const s of steps) assert.ok(activationIds.has(parentOf(s)), "steps hang under an activation");
		const [first] = byName("attempt 1 fetch");
		const [second] = byName("attempt 2 fetch");
		assert.ok(first && second);
		assert.equal(first.status.code, 2, "the failed attempt's span is an error");
		assert.ok(steps.some((s) => idOf(s) === parentOf(first)));
		assert.ok(steps.some((s) => idOf(s) === parentOf(second)));

		// Inside the body, the attempt's span is the active context, and spans started there are its children.
		assert.equal(seen.active, idOf(second));
		const [inner] = byName("inner call");
		assert.equal(idOf(inner), seen.inner);
		assert.equal(parentOf(inner), idOf(second));

		const [sleep] = byName("sleep nap");
		const [wait] = byName("waitForEvent approval");
		assert.ok(sleep && wait, "the sleep and the wait are spans");
		assert.ok(activationIds.has(parentOf(sleep)) && activationIds.has(parentOf(wait)));
		assert.equal(wait.attributes["weft.event.type"], "go");
	} finally {
		await engine.close();
		await tracing.shutdown();
		rmSync(dir, { recursive: true, force: true });
	}
});
