// A local stand-in for an OpenAI-compatible chat-completions endpoint, on 127.0.0.1: it speaks
// the protocol (streamed Server-Sent Events, tool calls in pieces, a bearer key) and follows a
// script — invoice first, then a transfer, then a final answer — by how many tool results the
// conversation holds. It counts the calls it answers, so a test can prove none was made twice.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface MockModel {
	url: string;
	key: string;
	/** Completions answered, in order: how many tool results each request carried. */
	calls: number[];
	close(): Promise<void>;
}

export async function startMockModel(key = "test-key"): Promise<MockModel> {
	const calls: number[] = [];
	const server: Server = createServer((req, res) => {
		let body = "";
		req.on("data", (c) => (body += c));
		req.on("end", () => {
			if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
				res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
				return;
			}
			if (req.headers.authorization !== `Bearer ${key}`) {
				res
					.writeHead(401, { "content-type": "application/json" })
					.end(JSON.stringify({ error: { message: "invalid api key", type: "invalid_request_error" } }));
				return;
			}
			const request = JSON.parse(body) as { messages: { role: string }[]; stream?: boolean; model: string };
			const results = request.messages.filter((m) => m.role === "tool").length;
			calls.push(results);
			const chunks = script(results, calls.length);
			res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
			const event = (delta: Record<string, unknown>, finish: string | null) =>
				`data: ${JSON.stringify({ id: `chatcmpl-${calls.length}`, object: "chat.completion.chunk", created: 0, model: request.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
			for (const delta of chunks) res.write(event(delta, null));
			res.write(event({}, results >= 2 ? "stop" : "tool_calls"));
			res.end("data: [DONE]\n\n");
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		key,
		calls,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** The streamed deltas of the answer to a conversation holding `results` tool results. */
function script(results: number, n: number): Record<string, unknown>[] {
	const toolCall = (name: string, args: string) => {
		const id = `call_${n}_${name}`;
		// The arguments arrive in two pieces, as real endpoints send them.
		return [
			{ role: "assistant", tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }] },
			{ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 10) } }] },
			{ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] },
		];
	};
	if (results === 0) return toolCall("create_invoice", JSON.stringify({ customer: "ACME", amount: 250 }));
	if (results === 1) return toolCall("transfer_funds", JSON.stringify({ to: "ACME", amount: 250 }));
	return [{ role: "assistant", content: "Invoiced ACME 250 " }, { content: "and transferred 250 to ACME." }];
}
