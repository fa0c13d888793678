// The instance detail's timeline as rows of bars: the time queued, then each step with every
// attempt and the retry waits between them, each sleep and each event wait, on one time axis.
// Pure, so the layout can be reasoned about apart from the page.
import type { InstanceDetails } from "@weft/client";

export type SegmentKind = "queued" | "attempt-ok" | "attempt-failed" | "retry-wait" | "running" | "sleep" | "wait" | "wait-timeout" | "termination";

export interface Segment {
	kind: SegmentKind;
	/** Epoch ms. */
	from: number;
	to: number;
	title: string;
}

export interface TimelineRow {
	key: string;
	label: string;
	/** The index in details.steps, or -1 for the queued row. */
	step: number;
	segments: Segment[];
}

export interface Timeline {
	start: number;
	end: number;
	rows: TimelineRow[];
}

const ms = (iso: string) => Date.parse(iso);

export function timelineOf(details: InstanceDetails, now = Date.now()): Timeline {
	const live = !["complete", "errored", "terminated"].includes(details.status);
	const rows: TimelineRow[] = [];
	const queued = ms(details.queued);
	const started = details.start ? ms(details.start) : live ? now : queued;
	rows.push({
		key: "queued",
		// After a restart, `start` is the new generation's and `queued` the first one's: the bar spans both.
		label: details.generation > 0 ? "queued, restarted" : "queued",
		step: -1,
		segments: [{ kind: "queued", from: queued, to: started, title: details.start ? "queued until a worker claimed it" : "queued: waiting for a worker" }],
	});
	details.steps.forEach((item, index) => {
		if (item.type === "termination") {
			rows.push({
				key: `termination-${index}`,
				label: "terminated",
				step: index,
				segments: [{ kind: "termination", from: ms(item.at), to: ms(item.at), title: "terminated" }],
			});
			return;
		}
		const segments: Segment[] = [];
		if (item.type === "step") {
			let previousEnd: number | null = null;
			item.attempts.forEach((a, i) => {
				const from = ms(a.start);
				if (previousEnd !== null && from > previousEnd)
					segments.push({ kind: "retry-wait", from: previousEnd, to: from, title: `retry wait before attempt ${i + 1}` });
				segments.push({
					kind: a.success ? "attempt-ok" : "attempt-failed",
					from,
					to: ms(a.end),
					title: `attempt ${i + 1}: ${a.success ? "succeeded" : `failed${a.error ? ` (${a.error.name}: ${a.error.message})` : ""}`}`,
				});
				previousEnd = ms(a.end);
			});
			if (item.end === null && previousEnd !== null) {
				if (item.nextAttemptAt) {
					const due = ms(item.nextAttemptAt);
					segments.push({ kind: "retry-wait", from: previousEnd, to: Math.max(due, previousEnd), title: `next attempt due ${item.nextAttemptAt}` });
					if (live && details.status === "running" && due <= now)
						segments.push({ kind: "running", from: due, to: now, title: `attempt ${item.attempts.length + 1} running` });
				}
			}
		} else if (item.type === "sleep") {
			segments.push({ kind: "sleep", from: ms(item.start), to: ms(item.end), title: item.finished ? "slept" : `sleeping until ${item.end}` });
		} else {
			const end = item.end ? ms(item.end) : live ? now : ms(item.start);
			segments.push({
				kind: item.error ? "wait-timeout" : "wait",
				from: ms(item.start),
				to: end,
				title: item.finished
					? item.error
						? `timed out waiting for "${item.event_type}"`
						: `received "${item.event_type}"`
					: `waiting for event "${item.event_type}"`,
			});
		}
		const kindWord = item.type === "step" ? "" : item.type === "sleep" ? "sleep " : "wait ";
		rows.push({
			key: `${item.type}:${item.name}#${item.count}`,
			label: `${kindWord}${item.name}${item.count > 1 ? ` #${item.count}` : ""}`,
			step: index,
			segments,
		});
	});
	let start = queued;
	let end = details.end ? ms(details.end) : live ? now : queued;
	for (const r of rows)
		for (const s of r.segments) {
			start = Math.min(start, s.from);
			end = Math.max(end, s.to);
		}
	return { start, end: Math.max(end, start + 1), rows };
}

/** Tick marks for the time axis: `count` evenly spread offsets from the start, in ms. */
export function axisTicks(timeline: Timeline, count = 5): number[] {
	const span = timeline.end - timeline.start;
	return Array.from({ length: count + 1 }, (_, i) => (span * i) / count);
}
