import type { InstanceStatusName } from "@weft/client";

/** Statuses as wrangler shows them: an emoji and a word. */
export const STATUS_LABEL: Record<InstanceStatusName, string> = {
	queued: "⏳ Queued",
	running: "▶ Running",
	paused: "⏸️ Paused",
	errored: "❌ Errored",
	terminated: "🚫 Terminated",
	complete: "✅ Completed",
	waiting: "💤 Waiting",
	waitingForPause: "⏱️ Waiting for pause",
	rollingBack: "↩️ Rolling back",
	unknown: "❓ Unknown",
};

export function statusLabel(status: InstanceStatusName): string {
	return STATUS_LABEL[status] ?? status;
}
