// `weft instances describe`, printed the way `wrangler workflows instances describe` prints it: a
// header, then each step with its type, times, success and output, and for `step.do` a table of
// its attempts.
import type { ApiTimelineItem, InstanceDetails } from "@weft/client";
import { between, formatTime } from "./format-time.js";
import { renderTable } from "./render-table.js";
import { statusLabel } from "./status-label.js";

export interface DescribeOptions {
	/** Show step outputs (default true). */
	stepOutput: boolean;
	/** Outputs longer than this many characters are cut (default 5000, as wrangler). */
	truncateOutputLimit: number;
	paint: (format: "red" | "bold" | "dim", text: string) => string;
}

const TYPE_LABEL = { step: "🎯 Step", sleep: "💤 Sleeping", waitForEvent: "👀 Waiting for event" } as const;

export function describeInstance(d: InstanceDetails, options: DescribeOptions): string {
	const out: string[] = [];
	const field = (label: string, value: string, indent = "") => out.push(`${indent}${`${label}:`.padEnd(22 - indent.length)}${value}`);
	const json = (value: unknown) => truncate(JSON.stringify(value) ?? "null", options.truncateOutputLimit);
	const named = d.steps.filter((s): s is ApiTimelineItem => s.type !== "termination");
	const lastSuccess = [...named].reverse().find((s) => (s.type === "step" ? s.success === true : s.finished && !("error" in s && s.error)));

	field("Workflow Name", d.workflow);
	field("Instance Id", d.id);
	field("Status", statusLabel(d.status));
	field("Queued", formatTime(d.queued));
	field("Success", d.success === null ? "—" : d.success ? "✅ Yes" : "❌ No");
	field("Start", formatTime(d.start));
	field("End", formatTime(d.end));
	field("Duration", between(d.start, d.end ?? (d.start ? new Date().toISOString() : null)));
	if (lastSuccess) field("Last Successful Step", `${lastSuccess.name}-${lastSuccess.count}`);
	if (d.generation > 0) field("Restarts", String(d.generation));
	if (d.version)
		field(
			"Code Version",
			d.versions.length > 1
				? `${d.version} (then ${d.versions
						.slice(1)
						.map((v) => `${v.version} from ${formatTime(v.since)}`)
						.join(", ")})`
				: d.version,
		);
	if (d.divergence) field("Held", options.paint("red", d.divergence.message));
	if (d.params !== null && d.params !== undefined) field("Params", json(d.params));
	if (d.status === "complete" && options.stepOutput) field("Output", json(d.output));
	if (d.error) field("Error", options.paint("red", `${d.error.name}: ${d.error.message}`));

	out.push("", options.paint("bold", "Steps:"));
	if (d.steps.length === 0) out.push("  (none yet)");
	for (const s of d.steps) {
		out.push("");
		if (s.type === "termination") {
			field("Name", "Termination", "  ");
			field("Type", "🚫 Terminated", "  ");
			field("At", formatTime(s.at), "  ");
			continue;
		}
		field("Name", `${s.name}-${s.count}`, "  ");
		field("Type", TYPE_LABEL[s.type], "  ");
		field("Start", formatTime(s.start), "  ");
		field("End", formatTime(s.end), "  ");
		field("Duration", between(s.start, s.end), "  ");
		if (s.type === "step") {
			field("Success", s.success === null ? "▶ Running" : s.success ? "✅ Yes" : "❌ No", "  ");
			if (s.nextAttemptAt) field("Retries At", formatTime(s.nextAttemptAt), "  ");
			if (s.success && options.stepOutput) field("Output", json(s.output), "  ");
			if (s.error) field("Error", options.paint("red", `${s.error.name}: ${s.error.message}`), "  ");
			const rows = s.attempts.map((a) => [
				formatTime(a.start),
				formatTime(a.end),
				between(a.start, a.end),
				a.success ? "✅ Success" : "❌ Error",
				a.error ? `${a.error.name}: ${a.error.message}` : "",
			]);
			if (s.success === null && !s.nextAttemptAt) rows.push([formatTime(s.start), "—", "—", "🔄 Working", ""]);
			out.push(
				renderTable(["Start", "End", "Duration", "State", "Error"], rows)
					.split("\n")
					.map((l) => `  ${l}`)
					.join("\n"),
			);
		} else if (s.type === "sleep") {
			field("Finished", s.finished ? "✅ Yes" : "💤 Not yet", "  ");
		} else {
			field("Event Type", s.event_type, "  ");
			field("Finished", s.finished ? "✅ Yes" : "👀 Waiting", "  ");
			if (s.output !== null && options.stepOutput) field("Output", json(s.output), "  ");
			if (s.error) field("Error", options.paint("red", `${s.error.name}: ${s.error.message}`), "  ");
		}
	}
	return out.join("\n");
}

function truncate(text: string, limit: number): string {
	return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters; see --json or GET …/steps/<name>)` : text;
}
