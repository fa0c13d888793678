// Pause, resume or terminate every instance of a workflow that has a given status, with a
// progress bar on stderr and a summary: the bulk form of `weft instances terminate`.
import type { InstanceStatusName, RemoteWorkflow } from "@weft/client";
import { ProgressBar } from "./progress-bar.js";

export interface BulkOutcome {
	action: "pause" | "resume" | "terminate";
	status: InstanceStatusName;
	matched: number;
	changed: number;
	failed: { id: string; code: string; message: string }[];
}

const IN_FLIGHT = 8;

export async function controlByStatus(remote: RemoteWorkflow, action: BulkOutcome["action"], status: InstanceStatusName): Promise<BulkOutcome> {
	// Collect the ids first: acting while paging would move instances out of the filtered list.
	const ids: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await remote.list({ status, limit: 1000, ...(cursor ? { cursor } : {}) });
		ids.push(...page.instances.map((i) => i.id));
		cursor = page.cursor ?? undefined;
	} while (cursor);

	const outcome: BulkOutcome = { action, status, matched: ids.length, changed: 0, failed: [] };
	const bar = new ProgressBar(ids.length, action);
	let next = 0;
	let done = 0;
	await Promise.all(
		Array.from({ length: Math.min(IN_FLIGHT, ids.length) }, async () => {
			while (next < ids.length) {
				const id = ids[next++] as string;
				try {
					await (await remote.get(id))[action]();
					outcome.changed++;
				} catch (e) {
					const err = e as { code?: string; message?: string };
					outcome.failed.push({ id, code: err.code ?? "error", message: err.message ?? String(e) });
				}
				bar.update(++done);
			}
		}),
	);
	bar.done();
	return outcome;
}
