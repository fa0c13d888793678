// Cloudflare names every step, sleep and wait "<name>-<count>". The engine's timeline carries the
// count on `step` items only; sleeps and waits get theirs here from the journal keys
// ("sleep:nap#2"), matched in order, since the timeline lists them in journal order.
// (Wished for in core: `count` on sleep and waitForEvent timeline items.)
import type { ApiTimelineItem, InstanceDetails } from "@weft/client";
import type { Engine, InstanceDetails as EngineInstanceDetails } from "@weft/core";

type Journal = Awaited<ReturnType<Engine["readJournal"]>>;

export function withStepCounts(details: EngineInstanceDetails, journal: Journal): InstanceDetails {
	const counts = { sleep: [] as number[], waitForEvent: [] as number[] };
	for (const entry of journal) {
		if (entry.kind === "sleep") counts.sleep.push(countOf(entry.key));
		else if (entry.kind === "wait") counts.waitForEvent.push(countOf(entry.key));
	}
	const next = { sleep: 0, waitForEvent: 0 };
	const steps = details.steps.map((item) => {
		if (item.type === "sleep" || item.type === "waitForEvent") return { ...item, count: counts[item.type][next[item.type]++] ?? 1 };
		return item;
	});
	return { ...details, steps };
}

function countOf(key: string): number {
	return Number(/#(\d+)$/.exec(key)?.[1] ?? 1);
}

/** Cloudflare's name of a timeline item: "<name>-<count>". */
export function cloudflareStepName(item: ApiTimelineItem): string {
	return `${item.name}-${item.count}`;
}
