// How `weft replay` and `weft instances replay` print a replay: one line per history (what it
// matched, where it diverged, what would run next), and one per step the journal served.
import { fromTaggedJson, type History, type StepRequest } from "@weft/core";
import type { ProjectReplay } from "@weft/server";
import { formatDuration, formatTime } from "./format-time.js";

type Paint = (format: "red" | "green" | "yellow" | "dim" | "bold", text: string) => string;

const describe = (s: { kind: string; name: string; count: number }) => `${s.kind} "${s.name}" #${s.count}`;
const short = (v: unknown, limit = 200) => {
	const text = JSON.stringify(v) ?? "undefined";
	return text.length > limit ? `${text.slice(0, limit)}…` : text;
};

export function formatReplay(r: ProjectReplay, paint: Paint): string {
	const who = r.workflow && r.instanceId ? `${r.workflow}/${r.instanceId}` : r.source;
	if (!r.result)
		return `${paint("red", "✗")} ${who}: ${paint("red", `${r.error?.code}: ${r.error?.message}`)}${r.source !== who ? paint("dim", ` (${r.source})`) : ""}`;
	const res = r.result;
	const served = paint("dim", `(${res.served} step${res.served === 1 ? "" : "s"} served)`);
	if (res.divergence) return `${paint("red", "✗")} ${who} diverged ${served}\n    ${res.divergence.message}`;
	if (res.status === "waiting")
		return `${paint("yellow", "…")} ${who} matches so far ${served}${res.next ? `; next the code would run ${describe(res.next)}${res.next.site ? ` (at ${res.next.site})` : ""}` : "; the code waits on a sleep or an event the history has not reached"}`;
	return `${paint("green", "✓")} ${who} ${res.status}, as recorded ${served}`;
}

/** One step the journal answered, with what the history recorded of it. */
export function formatServedStep(step: StepRequest, history: History, verbose: boolean): string {
	const entries = history.entries
		.map((e): Record<string, unknown> => ({ at: e.at, ...(fromTaggedJson(e.entry) as Record<string, unknown>) }))
		.filter((e) => e.key === step.key);
	const attempts = entries.filter((e) => e.kind === "attempt");
	const final = attempts.find((e) => e.final === true);
	let line = `▸ ${describe(step)}`;
	if (step.kind === "do" && final) {
		const took = (final.endedAt as number) - ((attempts[0]?.startedAt as number) ?? (final.startedAt as number));
		line += ` — ${final.ok ? "ok" : "failed"} after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"} (${formatDuration(took)}, at ${formatTime(final.startedAt as number)})`;
		const value = (final.config as { sensitive?: string } | undefined)?.sensitive === "output" ? "[REDACTED]" : final.value;
		if (verbose) line += final.ok ? `\n   value: ${short(value)}` : `\n   error: ${short(final.stepError ?? final.error)}`;
	} else if (step.kind === "sleep") {
		const sleep = entries.find((e) => e.kind === "sleep");
		if (sleep) line += ` — slept until ${formatTime(sleep.until as number)}`;
	} else if (step.kind === "waitForEvent") {
		const got = entries.find((e) => e.kind === "event");
		const timedOut = entries.find((e) => e.kind === "wait_timeout");
		if (got)
			line += ` — received ${short((got.event as { type?: string })?.type)} at ${formatTime(got.at as number)}${verbose ? `\n   payload: ${short((got.event as { payload?: unknown })?.payload)}` : ""}`;
		else if (timedOut) line += ` — timed out at ${formatTime(timedOut.at as number)}`;
	}
	if (verbose && step.site) line += `\n   at ${step.site}`;
	return line;
}
