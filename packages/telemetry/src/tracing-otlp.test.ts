// Tracing configured only through the standard OTEL_* variables, exporting over real OTLP/HTTP to a
// collector on loopback: what an operator gets by pointing Weft at Jaeger, Tempo or an OTel
// Collector. (tracing.test.ts checks the span tree itself, in memory.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createEngine, instanceTraceIds, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { startTracingFromEnv } from "./tracing.js";

class Exported extends WorkflowEntrypoint {
	async run(_event: WorkflowEvent<unknown>, step: WorkflowStep) {
		const a = await step.do("one", async () => 1);
		return step.do("two", async () => a + 1);
	}
}

interface Received {
	path: string | undefined;
	headers: IncomingHttpHeaders;
	body: OtlpExport;
}

/** The parts of the OTLP/JSON export request this test reads. */
interface OtlpExport {
	resourceSpans: {
		resource: { attributes: { key: string; value: { stringValue?: string } }[] };
		scopeSpans: { spans: { name: string; traceId: string }[] }[];
	}[];
}

/** A stand-in collector: accepts every export and keeps it. */
async function collector(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
	const received: Received[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => {
			received.push({ path: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport });
			res.writeHead(200, { "content-type": "application/json" }).end("{}");
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

test("OTEL_EXPORTER_OTLP_ENDPOINT alone exports each instance's trace over OTLP/HTTP, with the service name and headers asked for", async () => {
	const otel = await collector();
	const dir = mkdtempSync(join(tmpdir(), "weft-otlp-"));
	Object.assign(process.env, {
		OTEL_EXPORTER_OTLP_ENDPOINT: otel.url,
		OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=secret-1",
		OTEL_SERVICE_NAME: "billing-workers",
	});
	const tracing = startTracingFromEnv();
	assert.ok(tracing, "an endpoint turns tracing on");
	const engine = await createEngine({
		database: join(dir, "weft.db"),
		workflows: { EXPORTED: { name: "exported", class: Exported } },
		observer: tracing.observer,
	});
	tracing.attach(engine);
	try {
		const instance = await engine.bindings.EXPORTED.create({ id: "exported-1" });
		while ((await instance.status()).status !== "complete") await new Promise((r) => setTimeout(r, 5));
		const createdAt = Date.parse((await instance.details()).queued);
		await engine.close();
		// Shutting down flushes the batch processor: everything ended so far reaches the collector.
		await tracing.shutdown();

		assert.ok(otel.received.length > 0, "the collector received an export");
		for (const r of otel.received) {
			assert.equal(r.path, "/v1/traces", "the standard OTLP/HTTP traces path under the endpoint");
			assert.match(r.headers["content-type"] ?? "", /application\/json/);
			assert.equal(r.headers["x-collector-token"], "secret-1", "OTEL_EXPORTER_OTLP_HEADERS are sent");
		}
		const resources = otel.received.flatMap((r) => r.body.resourceSpans);
		for (const rs of resources)
			assert.equal(rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue, "billing-workers", "OTEL_SERVICE_NAME names the service");
		const spans = resources.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans));
		const names = new Set(spans.map((s) => s.name));
		for (const name of ["workflow exported", "activation exported", "step one", "step two", "attempt 1 one", "attempt 1 two"])
			assert.ok(names.has(name), `the export holds "${name}" (got ${[...names].join(", ")})`);
		const { traceId } = instanceTraceIds("exported", "exported-1", createdAt);
		assert.ok(
			spans.every((s) => s.traceId.toLowerCase() === traceId),
			"every exported span is in the instance's trace",
		);
	} finally {
		await engine.close();
		await otel.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
