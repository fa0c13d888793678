// How times, durations and numbers are written everywhere in the dashboard.

export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms)) return "–";
	const abs = Math.abs(ms);
	if (abs < 1000) return `${Math.round(ms)} ms`;
	if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
	if (abs < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((abs % 60_000) / 1000)} s`;
	if (abs < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((abs % 3_600_000) / 60_000)} m`;
	return `${Math.floor(ms / 86_400_000)} d ${Math.round((abs % 86_400_000) / 3_600_000)} h`;
}

export function formatTime(iso: string | null | undefined): string {
	if (!iso) return "–";
	const d = new Date(iso);
	const sameDay = d.toDateString() === new Date().toDateString();
	const time = d.toLocaleTimeString(undefined, { hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit" });
	return sameDay ? `${time}.${String(d.getMilliseconds()).padStart(3, "0")}` : `${d.toLocaleDateString()} ${time}`;
}

/** "in 3.2 s" / "12 s ago", relative to now. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
	if (!iso) return "–";
	const delta = Date.parse(iso) - now;
	return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return "–";
	return n.toLocaleString(undefined, { maximumFractionDigits: digits });
}
