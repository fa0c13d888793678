// GET …/instances/:id/events/stream: the instance's journal as Server-Sent Events. Each entry is
// one message whose `id` is the entry's `seq`, so a client resumes after the last one it saw
// (Last-Event-ID, as EventSource sends on reconnect, or `?cursor=`). The journal is polled for
// new entries; the stream ends with an `end` message once the instance is complete, errored or
// terminated.

import { setTimeout as sleep } from "node:timers/promises";
import type { JournalEvent, StreamEnd } from "@weft/client";
import { type Engine, toJsonValue } from "@weft/core";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { type ApiContext, checkInstanceId, workflowByName } from "./api-context.js";
import { RequestError } from "./request-error.js";

const TERMINAL = new Set(["complete", "errored", "terminated"]);

export function registerEventStreamRoute(app: Hono, ctx: ApiContext): void {
	app.get("/api/workflows/:name/instances/:id/events/stream", async (c) => {
		const binding = workflowByName(ctx, c.req.param("name"));
		const id = checkInstanceId(c.req.param("id"));
		// A reconnecting EventSource repeats the original URL and adds Last-Event-ID: that one wins.
		const cursor = parseCursor(c.req.header("last-event-id") ?? c.req.query("cursor"));
		const instance = await binding.get(id); // instance.not_found is answered before the stream starts
		const key = { workflow: binding.workflowName, id };
		c.header("cache-control", "no-store");
		return streamSSE(c, async (stream) => {
			const stop = new AbortController();
			ctx.streams.add(stop);
			stream.onAbort(() => stop.abort());
			try {
				let after = cursor;
				let quietSince = Date.now();
				while (!stop.signal.aborted) {
					// Status first: the entry that finishes an instance is committed with its status,
					// so a terminal status read here means the journal read next holds every entry.
					const { status } = await instance.status();
					for (const entry of await ctx.engine.readJournal(key, after)) {
						await stream.writeSSE({ id: String(entry.seq), event: entry.kind, data: JSON.stringify(toJournalEvent(entry)) });
						after = entry.seq;
						quietSince = Date.now();
					}
					if (TERMINAL.has(status)) {
						const end: StreamEnd = { status };
						await stream.writeSSE({ event: "end", data: JSON.stringify(end) });
						return;
					}
					if (Date.now() - quietSince >= ctx.heartbeatMs) {
						await stream.write(": keepalive\n\n");
						quietSince = Date.now();
					}
					await sleep(ctx.streamPollMs, undefined, { signal: stop.signal }).catch(() => {});
				}
			} catch (error) {
				// A failure after the client left or the server began closing is expected; others are not.
				if (!stop.signal.aborted) ctx.log(error);
			} finally {
				ctx.streams.delete(stop);
			}
		});
	});
}

function parseCursor(raw: string | undefined): number {
	if (raw === undefined || raw === "") return 0;
	if (!/^\d{1,15}$/.test(raw))
		throw new RequestError(
			"journal.invalid_cursor",
			`cursor ${JSON.stringify(raw.slice(0, 40))} is not a journal position: pass the id (seq) of the last event you received`,
		);
	return Number(raw);
}

/** The entry JSON-ified as status().output is; error stacks stay in the server (the timeline leaves them out too). */
function toJournalEvent(entry: Awaited<ReturnType<Engine["readJournal"]>>[number]): JournalEvent {
	const { error, ...rest } = entry as typeof entry & { error?: { name: string; message: string } };
	return toJsonValue(error ? { ...rest, error: { name: error.name, message: error.message } } : rest) as JournalEvent;
}
