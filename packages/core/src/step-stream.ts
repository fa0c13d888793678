// A step that returns a ReadableStream<Uint8Array>: the stream is read to its end inside the
// attempt (so the step's timeout covers it), journaled as its chunks, and handed back — on the
// first run and on every replay — as a new stream over those chunks.
import { WorkflowFatalError } from "./errors.js";
import { MAX_VALUE_BYTES } from "./serializer.js";

/** A returned stream that cannot be stored (too large, or not bytes): it fails the instance, no retry. */
export class StreamNotStorable extends WorkflowFatalError {}

/** How a stream's bytes are journaled: a plain object the codec stores as it is. */
export interface StoredStream {
	$weftStream: Uint8Array[];
}

export function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
	return typeof ReadableStream !== "undefined" && v instanceof ReadableStream;
}

export function isStoredStream(v: unknown): v is StoredStream {
	return typeof v === "object" && v !== null && Array.isArray((v as StoredStream).$weftStream);
}

/** Reads the stream to its end; more than the 1 MiB a step result may take fails the instance. */
export async function drainStream(step: string, stream: ReadableStream<Uint8Array>): Promise<StoredStream> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const value of stream as unknown as AsyncIterable<unknown>) {
		// Cloudflare takes string chunks too, as their UTF-8 bytes (docs/cloudflare-observed.md).
		const chunk = typeof value === "string" ? utf8.encode(value) : value;
		if (!(chunk instanceof Uint8Array))
			throw new StreamNotStorable(
				"step.invalid_stream",
				`the stream returned by step "${step}" has ${describeChunk(chunk)} chunks; a step may return a ReadableStream of Uint8Array (or string) chunks only`,
			);
		size += chunk.byteLength;
		if (size > MAX_VALUE_BYTES) {
			await stream.cancel().catch(() => {});
			throw new StreamNotStorable(
				"step.output_too_large",
				`The step "${step}" returned a stream of more than ${MAX_VALUE_BYTES} bytes; a step result may take at most 1 MiB once stored`,
			);
		}
		chunks.push(chunk);
	}
	return { $weftStream: chunks };
}

const utf8 = new TextEncoder();

function describeChunk(chunk: unknown): string {
	if (chunk === null) return "null";
	return typeof chunk === "object" ? ((chunk as object).constructor?.name ?? "object") : typeof chunk;
}

/** A new stream over the stored chunks (each reader gets its own). */
export function toReadableStream(stored: StoredStream): ReadableStream<Uint8Array> {
	const chunks = [...stored.$weftStream];
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			const next = chunks.shift();
			if (next === undefined) controller.close();
			else controller.enqueue(new Uint8Array(next));
		},
	});
}

/** How a stored stream is shown in a timeline: its size, not its bytes. */
export function describeStoredStream(stored: StoredStream): string {
	const bytes = stored.$weftStream.reduce((n, c) => n + c.byteLength, 0);
	return `[stream: ${bytes} bytes in ${stored.$weftStream.length} chunks]`;
}
