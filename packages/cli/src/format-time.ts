// Times and durations as the CLI shows them: local wall-clock times with milliseconds, and
// durations in the largest unit that reads naturally.

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** "2026-01-31 14:05:09.123" in local time, or "—" for none. */
export function formatTime(iso: string | number | null | undefined): string {
	if (iso === null || iso === undefined) return "—";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return String(iso);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "14:05:09.123" in local time. */
export function formatClock(ms: number): string {
	return formatTime(ms).slice(11);
}

/** "850 ms", "2.5 seconds", "3 minutes", "2 hours", "4 days". */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) return "—";
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const units: [number, string][] = [
		[86_400_000, "day"],
		[3_600_000, "hour"],
		[60_000, "minute"],
		[1000, "second"],
	];
	for (const [size, unit] of units) {
		if (ms >= size) {
			const n = ms / size;
			const shown = n >= 10 || unit !== "second" ? Math.floor(n) : Math.round(n * 10) / 10;
			return `${shown} ${unit}${shown === 1 ? "" : "s"}`;
		}
	}
	return `${ms} ms`;
}

/** The duration between two ISO times, or "—" when either is missing. */
export function between(start: string | null | undefined, end: string | null | undefined): string {
	if (!start || !end) return "—";
	return formatDuration(Date.parse(end) - Date.parse(start));
}
