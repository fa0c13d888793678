// What every example driver hands back, and how the demo prints it.
import type { InstanceDetails, InstanceStatus, TimelineItem, WorkflowInstance } from "weft";
import { waitForFinish } from "./poll.js";

export interface InstanceRun {
	/** What this instance was for, e.g. "happy path". */
	label: string;
	id: string;
	status: InstanceStatus;
	details: InstanceDetails;
}

/** Waits for the instance to finish and gathers its status and step timeline. */
export async function finish(label: string, instance: WorkflowInstance): Promise<InstanceRun> {
	const status = await waitForFinish(instance);
	return { label, id: instance.id, status, details: await instance.details() };
}

/** Milliseconds between two ISO timestamps (null when the item has not ended). */
export function elapsedMs(start: string, end: string | null): number | null {
	return end === null ? null : Date.parse(end) - Date.parse(start);
}

/** The timeline items of one type, narrowed, e.g. `itemsOf(details, "step")`. */
export function itemsOf<T extends TimelineItem["type"]>(details: InstanceDetails, type: T): Extract<TimelineItem, { type: T }>[] {
	return details.steps.filter((s): s is Extract<TimelineItem, { type: T }> => s.type === type);
}

/** The one `step.do` item with this name (and count); throws if there is none, so tests fail clearly. */
export function stepNamed(details: InstanceDetails, name: string, count = 1): Extract<TimelineItem, { type: "step" }> {
	const item = itemsOf(details, "step").find((s) => s.name === name && s.count === count);
	if (!item) throw new Error(`no step "${name}" #${count} in the timeline of ${details.id}; steps: ${details.steps.map(describeItem).join(", ")}`);
	return item;
}

function describeItem(item: TimelineItem): string {
	return item.type === "termination" ? "termination" : `${item.type} "${item.name}"`;
}

/** A readable account of one instance: id, status, output or error, then one line per timeline item. */
export function formatRun(run: InstanceRun): string[] {
	const lines = [`  ${run.label}: instance ${run.id}`, `    status: ${run.status.status}`];
	if (run.status.error) lines.push(`    error:  ${run.status.error.name}: ${run.status.error.message}`);
	else lines.push(`    output: ${JSON.stringify(run.status.output)}`);
	lines.push("    steps:");
	for (const item of run.details.steps) lines.push(`      ${formatItem(item)}`);
	return lines;
}

function formatItem(item: TimelineItem): string {
	if (item.type === "termination") return `termination at ${item.at}`;
	const ms = elapsedMs(item.start, item.end);
	const duration = ms === null ? "unfinished" : `${ms} ms`;
	const name = item.type === "step" && item.count > 1 ? `${item.name} #${item.count}` : item.name;
	const attempts = item.type === "step" ? `${item.attempts.length} attempt${item.attempts.length === 1 ? "" : "s"}` : "-";
	const failure = item.type !== "sleep" && item.error ? `  (${item.error.name}: ${item.error.message})` : "";
	return `${name.padEnd(34)} ${item.type.padEnd(12)} ${attempts.padEnd(10)} ${duration}${failure}`;
}
