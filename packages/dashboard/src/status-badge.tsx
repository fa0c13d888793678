// A status as a coloured pill, the same colours in every list, chart and header.

export const STATUSES = ["queued", "running", "waiting", "waitingForPause", "paused", "errored", "terminated", "complete", "rollingBack", "unknown"] as const;

export const TERMINAL_STATUSES = new Set(["complete", "errored", "terminated"]);

export function StatusBadge({ status }: { status: string }) {
	return (
		<span class={`badge status-${status}`} data-status={status}>
			{status}
		</span>
	);
}
