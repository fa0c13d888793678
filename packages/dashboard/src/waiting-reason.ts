// Why an instance is where it is, in a sentence: queued for a worker, held by a divergence, paused,
// asleep until a time, awaiting an event type, backing off before a retry, or running a step.
import type { InstanceDetails } from "@weft/client";

export interface WaitingReason {
	kind: "queued" | "held" | "paused" | "pausing" | "timer" | "event" | "retry" | "running" | "finished";
	text: string;
	/** When the instance will move on by itself, if a timer decides it. */
	dueAt: string | null;
}

export function waitingReason(details: InstanceDetails, now = Date.now()): WaitingReason {
	switch (details.status) {
		case "queued":
			return { kind: "queued", text: "Queued: waiting for a worker and a free concurrency slot.", dueAt: null };
		case "paused":
			if (details.divergence)
				return {
					kind: "held",
					text: `Held for divergence since ${details.divergence.at}: ${details.divergence.message}. Fix the code, then resume.`,
					dueAt: null,
				};
			return { kind: "paused", text: "Paused: resume to carry on.", dueAt: null };
		case "waitingForPause":
			return { kind: "pausing", text: "Pausing: the step that is running finishes first.", dueAt: null };
		case "complete":
		case "errored":
		case "terminated":
			return { kind: "finished", text: `Finished: ${details.status}.`, dueAt: null };
	}
	const open = [...details.steps].reverse();
	for (const item of open) {
		if (item.type === "step" && item.end === null && item.nextAttemptAt) {
			const due = Date.parse(item.nextAttemptAt);
			if (details.status === "waiting" || due > now)
				return {
					kind: "retry",
					text: `Retry backoff: attempt ${item.attempts.length + 1} of "${item.name}" is due at ${item.nextAttemptAt}.`,
					dueAt: item.nextAttemptAt,
				};
		}
		if (item.type === "sleep" && !item.finished)
			return { kind: "timer", text: `Sleeping in "${item.name}": the timer is due at ${item.end}.`, dueAt: item.end };
		if (item.type === "waitForEvent" && !item.finished)
			return { kind: "event", text: `Waiting for an event of type "${item.event_type}" (step "${item.name}").`, dueAt: null };
	}
	if (details.status === "waiting") return { kind: "timer", text: "Waiting for a timer.", dueAt: null };
	return { kind: "running", text: "Running.", dueAt: null };
}
