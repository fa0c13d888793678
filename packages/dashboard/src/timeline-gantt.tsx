// The Gantt chart of an instance: one row per step, sleep and wait (and the time queued), each
// attempt a bar, retry waits hatched between them. Clicking a row opens that step's detail.
import type { InstanceDetails } from "@weft/client";
import { formatDuration } from "./format.js";
import { axisTicks, timelineOf } from "./timeline-rows.js";

interface Props {
	details: InstanceDetails;
	selected: number | null;
	onSelect(step: number): void;
}

export function TimelineGantt({ details, selected, onSelect }: Props) {
	const timeline = timelineOf(details);
	const span = timeline.end - timeline.start;
	const pct = (t: number) => `${(((t - timeline.start) / span) * 100).toFixed(3)}%`;
	const width = (from: number, to: number) => `max(2px, ${(((to - from) / span) * 100).toFixed(3)}%)`;
	return (
		<div class="gantt" data-testid="gantt">
			<div class="gantt-axis">
				<span class="gantt-label" />
				<div class="gantt-track">
					{axisTicks(timeline).map((offset) => (
						<span key={offset} class="gantt-tick" style={{ left: `${((offset / span) * 100).toFixed(3)}%` }}>
							+{formatDuration(offset)}
						</span>
					))}
				</div>
			</div>
			{timeline.rows.map((row) => (
				<button
					type="button"
					key={row.key}
					class={`gantt-row${row.step === selected ? " selected" : ""}`}
					data-row={row.key}
					disabled={row.step < 0}
					onClick={() => onSelect(row.step)}
				>
					<span class="gantt-label" title={row.label}>
						{row.label}
					</span>
					<span class="gantt-track">
						{row.segments.map((s) => (
							<span
								key={`${s.kind}-${s.from}`}
								class={`seg seg-${s.kind}`}
								data-kind={s.kind}
								style={{ left: pct(s.from), width: width(s.from, s.to) }}
								title={`${s.title} — ${formatDuration(s.to - s.from)}`}
							/>
						))}
					</span>
				</button>
			))}
			<div class="gantt-legend">
				{(
					[
						["queued", "queued"],
						["attempt-ok", "attempt ok"],
						["attempt-failed", "attempt failed"],
						["retry-wait", "retry wait"],
						["running", "running"],
						["sleep", "sleep"],
						["wait", "event wait"],
					] as const
				).map(([kind, text]) => (
					<span key={kind}>
						<span class={`seg-swatch seg-${kind}`} /> {text}
					</span>
				))}
			</div>
		</div>
	);
}
