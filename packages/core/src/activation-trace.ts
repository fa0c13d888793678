// OpenTelemetry spans for one activation, through @opentelemetry/api only: without an SDK
// registered nothing is created at all (one provider lookup per activation). One trace per
// instance: its id is derived from the instance, so every activation, in any process and after
// any restart of it, joins the same trace under the same root span id. The root span itself
// ("workflow <name>") is emitted when the instance finishes, by the process's SDK setup
// (@weft/telemetry), which can choose span ids; spans under it are activation → step → attempt,
// with sleeps and event waits as spans of the activation that saw them end.
import { createHash } from "node:crypto";
import {
	type Attributes,
	type Context,
	context,
	ProxyTracerProvider,
	ROOT_CONTEXT,
	type Span,
	SpanStatusCode,
	TraceFlags,
	type Tracer,
	trace,
} from "@opentelemetry/api";
import type { ActivationEnd } from "./engine-observer.js";

export const TRACER_NAME = "weft";

/** The trace id and root span id of an instance (hex), the same wherever and whenever computed. */
export function instanceTraceIds(workflow: string, id: string, createdAt: number): { traceId: string; spanId: string } {
	const hash = createHash("sha256").update(`${workflow}\u0000${id}\u0000${createdAt}`).digest("hex");
	return { traceId: hash.slice(0, 32), spanId: hash.slice(32, 48) };
}

/** The tracer of the registered SDK, or undefined when none is (the API alone records nothing). */
function liveTracer(): Tracer | undefined {
	const provider = trace.getTracerProvider();
	if (provider instanceof ProxyTracerProvider) return provider.getDelegateTracer(TRACER_NAME);
	return provider.getTracer(TRACER_NAME);
}

interface Instance {
	workflow: string;
	id: string;
	createdAt: number;
}

export class ActivationTrace {
	readonly #tracer: Tracer;
	readonly #span: Span;
	readonly #ctx: Context;
	readonly #base: Attributes;
	/** Open step spans by step key, so retries within the activation share their step's span. */
	readonly #steps = new Map<string, { span: Span; ctx: Context }>();
	readonly #open = new Set<Span>();

	/** Starts the activation's span, or returns null when nothing would record it. */
	static start(instance: Instance, epoch: number, now: number): ActivationTrace | null {
		const tracer = liveTracer();
		if (!tracer) return null;
		const ids = instanceTraceIds(instance.workflow, instance.id, instance.createdAt);
		const root = trace.setSpanContext(ROOT_CONTEXT, { ...ids, traceFlags: TraceFlags.SAMPLED, isRemote: true });
		const base = { "weft.workflow": instance.workflow, "weft.instance.id": instance.id };
		const span = tracer.startSpan(`activation ${instance.workflow}`, { startTime: now, attributes: { ...base, "weft.activation.epoch": epoch } }, root);
		if (!span.isRecording()) {
			span.end(now);
			return null;
		}
		return new ActivationTrace(tracer, span, trace.setSpan(root, span), base);
	}

	private constructor(tracer: Tracer, span: Span, ctx: Context, base: Attributes) {
		this.#tracer = tracer;
		this.#span = span;
		this.#ctx = ctx;
		this.#base = base;
	}

	/** An attempt's span, under its step's span (started with the step's first attempt here). */
	attemptStarted(key: string, name: string, count: number, attempt: number, now: number): Span {
		let step = this.#steps.get(key);
		if (!step) {
			const span = this.#tracer.startSpan(
				`step ${name}`,
				{ startTime: now, attributes: { ...this.#base, "weft.step.name": name, "weft.step.count": count } },
				this.#ctx,
			);
			step = { span, ctx: trace.setSpan(this.#ctx, span) };
			this.#steps.set(key, step);
			this.#open.add(span);
		}
		const span = this.#tracer.startSpan(
			`attempt ${attempt} ${name}`,
			{ startTime: now, attributes: { ...this.#base, "weft.step.name": name, "weft.step.count": count, "weft.attempt": attempt } },
			step.ctx,
		);
		this.#open.add(span);
		return span;
	}

	/** Runs a step body with its attempt span as the active context (fetch and http spans join it). */
	run<T>(span: Span, body: () => T): T {
		return context.with(trace.setSpan(this.#ctx, span), body);
	}

	/** Ends an attempt's span; the step's span too once the step is settled or waits for a retry. */
	attemptEnded(key: string, span: Span, ok: boolean, error: { name: string; message: string } | undefined, settled: boolean, now: number): void {
		if (!ok) {
			span.setStatus({ code: SpanStatusCode.ERROR, message: error ? `${error.name}: ${error.message}` : "failed" });
			if (error) span.recordException({ name: error.name, message: error.message });
		}
		this.#close(span, now);
		const step = this.#steps.get(key);
		if (!step) return;
		if (settled) {
			if (!ok) step.span.setStatus({ code: SpanStatusCode.ERROR, message: error ? `${error.name}: ${error.message}` : "failed" });
		} else step.span.setAttribute("weft.step.retrying", true);
		this.#steps.delete(key);
		this.#close(step.span, now);
	}

	/** A sleep or an event wait that ended during this activation, as a span from its start to its end. */
	waited(kind: "sleep" | "waitForEvent", name: string, start: number, end: number, attributes: Attributes = {}): void {
		const span = this.#tracer.startSpan(
			`${kind} ${name}`,
			{ startTime: start, attributes: { ...this.#base, "weft.step.name": name, ...attributes } },
			this.#ctx,
		);
		span.end(end);
	}

	/** Ends the activation's span, and any step or attempt span it left open (suspended or dropped). */
	end(how: ActivationEnd, now: number, error?: { name: string; message: string }): void {
		for (const span of this.#open) span.end(now);
		this.#open.clear();
		this.#span.setAttribute("weft.activation.end", how);
		if (how === "errored") this.#span.setStatus({ code: SpanStatusCode.ERROR, message: error ? `${error.name}: ${error.message}` : "errored" });
		this.#span.end(now);
	}

	#close(span: Span, now: number): void {
		this.#open.delete(span);
		span.end(now);
	}
}
