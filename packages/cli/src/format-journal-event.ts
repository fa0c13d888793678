// One line per journal entry for `weft instances tail`.
import type { JournalEvent } from "@weft/client";
import { formatClock, formatDuration } from "./format-time.js";

/** "<name>-<count>" from a journal key such as "sleep:nap#2". */
function stepName(e: JournalEvent): string {
	const key = String(e.key ?? "");
	const m = /^[^:]+:(.*)#(\d+)$/s.exec(key);
	return m ? `${m[1]}-${m[2]}` : String(e.name ?? key);
}

const errorText = (e: unknown) => {
	const err = e as { name?: string; message?: string } | undefined;
	return err ? `${err.name ?? "Error"}: ${err.message ?? ""}` : "";
};

export function formatJournalEvent(e: JournalEvent): string {
	const at = formatClock(e.at);
	switch (e.kind) {
		case "attempt": {
			const took = formatDuration(Number(e.endedAt) - Number(e.startedAt));
			if (e.ok) return `${at}  ✅ ${stepName(e)} attempt ${e.attempt} succeeded (${took})`;
			const retry = typeof e.retryAt === "number" ? `; retrying at ${formatClock(e.retryAt)}` : e.final ? "; no retries left" : "";
			return `${at}  ❌ ${stepName(e)} attempt ${e.attempt} failed (${took}): ${errorText(e.error)}${retry}`;
		}
		case "sleep":
			return `${at}  💤 ${stepName(e)} sleeping until ${formatClock(Number(e.until))}`;
		case "wait":
			return `${at}  👀 ${stepName(e)} waiting for an event of type "${e.type}" (times out at ${formatClock(Number(e.timeoutAt))})`;
		case "event":
			return `${at}  📨 ${stepName(e)} received "${(e.event as { type?: string } | undefined)?.type ?? ""}": ${JSON.stringify((e.event as { payload?: unknown } | undefined)?.payload ?? null)}`;
		case "wait_timeout":
			return `${at}  ⌛ ${stepName(e)} timed out after ${formatDuration(Number(e.timeoutMs))}`;
		case "resumed":
			return `${at}  ▶ resumed after ${formatDuration(Number(e.pausedMs))} paused`;
		case "finished":
			return `${at}  🏁 ${e.status}${e.error ? `: ${errorText(e.error)}` : ""}`;
		default:
			return `${at}  ${e.kind}`;
	}
}
