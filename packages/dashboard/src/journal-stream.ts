// Follows an instance's journal over the SSE route. EventSource cannot send the bearer token, so
// the stream is read with fetch and a ReadableStream reader and parsed by @weft/client's parseSse.
import { type JournalEvent, parseSse, type WeftClient } from "@weft/client";

export type StreamEnding = "end" | "cut" | "aborted";

export async function followJournal(
	client: WeftClient,
	workflow: string,
	id: string,
	options: { cursor: number; signal: AbortSignal; onEntry: (entry: JournalEvent) => void },
): Promise<StreamEnding> {
	const path = `/api/workflows/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}/events/stream`;
	const response = await client.send("GET", path, { query: { cursor: options.cursor }, headers: { accept: "text/event-stream" }, signal: options.signal });
	if (!response.body) return "cut";
	const reader = response.body.getReader();
	const chunks: AsyncIterable<Uint8Array> = {
		async *[Symbol.asyncIterator]() {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return;
				yield value;
			}
		},
	};
	try {
		for await (const message of parseSse(chunks)) {
			if (message.event === "end") return "end";
			options.onEntry(JSON.parse(message.data) as JournalEvent);
		}
		return "cut";
	} catch (e) {
		if (options.signal.aborted) return "aborted";
		throw e;
	} finally {
		reader.cancel().catch(() => {});
	}
}
