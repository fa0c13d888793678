// Applies one status change to many instances, a few requests at a time, and reports each
// failure with its code (a terminal instance cannot be paused, say) instead of stopping.
import { type StatusAction, WeftApiError, type WeftClient } from "@weft/client";

export interface BulkResult {
	done: string[];
	failed: { id: string; code: string; message: string }[];
}

export async function bulkAction(
	client: WeftClient,
	workflow: string,
	ids: string[],
	action: Exclude<StatusAction, "restart">,
	parallel = 8,
): Promise<BulkResult> {
	const result: BulkResult = { done: [], failed: [] };
	const queue = [...ids];
	const path = (id: string) => `/api/workflows/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}/status`;
	async function worker() {
		for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
			try {
				await client.request("PATCH", path(id), { body: { status: action } });
				result.done.push(id);
			} catch (e) {
				if (e instanceof WeftApiError && e.status === 401) throw e;
				result.failed.push({ id, code: e instanceof WeftApiError ? e.code : "request.failed", message: e instanceof Error ? e.message : String(e) });
			}
		}
	}
	await Promise.all(Array.from({ length: Math.min(parallel, ids.length) }, worker));
	return result;
}
