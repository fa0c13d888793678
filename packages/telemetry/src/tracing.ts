// The OpenTelemetry SDK side of Weft's tracing. Core creates activation, step, attempt, sleep and
// wait spans through @opentelemetry/api; this registers a provider for them (with the
// AsyncLocalStorage context manager, so the attempt span is the active context inside step
// bodies, and the W3C propagator, so fetch/http instrumentation carries it on), and emits each
// instance's root span when the instance ends: its ids are derived from the instance
// (instanceTraceIds), which the API cannot set, so it is handed to the span processors directly.
import { context, type HrTime, propagation, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, envDetector, type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import {
	BasicTracerProvider,
	BatchSpanProcessor,
	ConsoleSpanExporter,
	type ReadableSpan,
	type SpanExporter,
	type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { type ActivationEnd, type ActivationInfo, type Engine, type EngineObserver, instanceTraceIds, TRACER_NAME } from "@weft/core";

export interface Tracing {
	/** Emits each instance's root span when it completes, errors or is terminated. */
	observer: EngineObserver;
	/** Lets the observer look up instances it is told about by key only (terminate). */
	attach(engine: Engine): void;
	/** Flushes pending spans and unregisters the provider. */
	shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider with these span processors as the global one and returns the
 * observer that emits instance root spans through them.
 */
export function startTracing(processors: SpanProcessor[], resource: Resource = weftResource()): Tracing {
	const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
	const contextManager = new AsyncLocalStorageContextManager().enable();
	context.setGlobalContextManager(contextManager);
	propagation.setGlobalPropagator(new W3CTraceContextPropagator());
	trace.setGlobalTracerProvider(provider);
	let engine: Engine | null = null;
	const emitRoot = (workflow: string, id: string, createdAt: number, status: string, endedAt: number) => {
		const span = rootSpan(workflow, id, createdAt, status, endedAt, resource);
		for (const p of processors) p.onEnd(span);
	};
	return {
		observer: {
			activationEnded(a: ActivationInfo, end: ActivationEnd) {
				if (end === "complete" || end === "errored") emitRoot(a.workflow, a.id, a.createdAt, end, Date.now());
			},
			instanceTerminated(key) {
				void engine?.store
					.getInstance(key)
					.then((r) => {
						if (r) emitRoot(r.workflow, r.id, r.createdAt, "terminated", r.endedAt ?? Date.now());
					})
					.catch(() => {});
			},
		},
		attach(e) {
			engine = e;
		},
		async shutdown() {
			await provider.shutdown();
			trace.disable();
			context.disable();
			propagation.disable();
		},
	};
}

/**
 * Tracing as the standard OTEL_* environment variables ask for it, or null: nothing is exported
 * unless OTEL_TRACES_EXPORTER names an exporter ("otlp", "console") or an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true and
 * OTEL_TRACES_EXPORTER=none turn it off. The OTLP exporter reads its endpoint, headers and
 * timeout from the same variables; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the
 * service (default "weft"); OTEL_TRACES_SAMPLER chooses the sampler.
 */
export function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | null {
	if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return null;
	const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
	const names = (env.OTEL_TRACES_EXPORTER ?? (endpoint ? "otlp" : ""))
		.split(",")
		.map((s) => s.trim())
		.filter((s) => s !== "" && s !== "none");
	if (names.length === 0) return null;
	const exporters: SpanExporter[] = names.map((name) => {
		if (name === "otlp") return new OTLPTraceExporter();
		if (name === "console") return new ConsoleSpanExporter();
		throw new Error(`OTEL_TRACES_EXPORTER: "${name}" is not an exporter Weft ships; use otlp, console or none`);
	});
	return startTracing(exporters.map((e) => new BatchSpanProcessor(e)));
}

/** The default resource, the OTEL_* environment's attributes, and service.name "weft" unless one is set. */
export function weftResource(): Resource {
	const fromEnv = detectResources({ detectors: [envDetector] });
	const named = fromEnv.attributes[ATTR_SERVICE_NAME] !== undefined ? fromEnv : fromEnv.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: "weft" }));
	return defaultResource().merge(named);
}

function hrTime(ms: number): HrTime {
	const seconds = Math.floor(ms / 1000);
	return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** The instance's root span, under the ids every activation span already names as its parent. */
function rootSpan(workflow: string, id: string, createdAt: number, status: string, endedAt: number, resource: Resource): ReadableSpan {
	const ids = instanceTraceIds(workflow, id, createdAt);
	const end = Math.max(endedAt, createdAt);
	return {
		name: `workflow ${workflow}`,
		kind: SpanKind.INTERNAL,
		spanContext: () => ({ traceId: ids.traceId, spanId: ids.spanId, traceFlags: TraceFlags.SAMPLED }),
		startTime: hrTime(createdAt),
		endTime: hrTime(end),
		duration: hrTime(end - createdAt),
		status: status === "complete" ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: status },
		attributes: { "weft.workflow": workflow, "weft.instance.id": id, "weft.instance.status": status },
		links: [],
		events: [],
		ended: true,
		resource,
		instrumentationScope: { name: TRACER_NAME },
		droppedAttributesCount: 0,
		droppedEventsCount: 0,
		droppedLinksCount: 0,
	};
}
