// Server-Sent Events, parsed as the WHATWG spec says (the subset a client needs): fields
// `event`, `data`, `id`; comments and `retry` ignored; a blank line dispatches the message.
// fetch() gives the client a byte stream, so it parses the stream itself instead of needing an
// EventSource, which Node 20 does not have and which cannot send an Authorization header.

export interface SseMessage {
	event: string;
	data: string;
	/** The last id seen so far on the stream (ids carry over to later messages), or null. */
	id: string | null;
}

export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
	const decoder = new TextDecoder();
	let buffer = "";
	let event = "";
	let data: string[] = [];
	let lastId: string | null = null;

	/** Takes every complete line off the buffer; the message each blank line completes is returned. */
	function* lines(final: boolean): Generator<SseMessage> {
		for (;;) {
			const end = buffer.search(/\r\n|\r|\n/);
			if (end === -1) return;
			// A "\r" at the very end may be the first half of "\r\n": wait for more bytes, unless none will come.
			if (!final && end === buffer.length - 1 && buffer[end] === "\r") return;
			const line = buffer.slice(0, end);
			buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
			if (line === "") {
				if (data.length > 0) yield { event: event || "message", data: data.join("\n"), id: lastId };
				event = "";
				data = [];
				continue;
			}
			if (line.startsWith(":")) continue;
			const colon = line.indexOf(":");
			const field = colon === -1 ? line : line.slice(0, colon);
			let value = colon === -1 ? "" : line.slice(colon + 1);
			if (value.startsWith(" ")) value = value.slice(1);
			if (field === "event") event = value;
			else if (field === "data") data.push(value);
			else if (field === "id" && !value.includes("\u0000")) lastId = value;
		}
	}

	for await (const chunk of body) {
		buffer += decoder.decode(chunk, { stream: true });
		yield* lines(false);
	}
	buffer += decoder.decode();
	yield* lines(true);
}
