// Drivers and tests wait on instances the way a Cloudflare client would: by polling status().
import type { InstanceStatus, InstanceStatusName, WorkflowInstance } from "weft";

const TERMINAL: readonly InstanceStatusName[] = ["complete", "errored", "terminated"];

/** Polls until the status is one of `wanted`; fails with the last status seen after `timeoutMs`. */
export async function waitForStatus(instance: WorkflowInstance, wanted: readonly InstanceStatusName[], timeoutMs = 10_000): Promise<InstanceStatus> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const status = await instance.status();
		if (wanted.includes(status.status)) return status;
		if (Date.now() >= deadline) {
			throw new Error(`instance ${instance.id} did not reach ${wanted.join(" or ")} within ${timeoutMs} ms; its status is still "${status.status}"`);
		}
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** Waits until the instance is complete, errored or terminated. */
export function waitForFinish(instance: WorkflowInstance, timeoutMs = 10_000): Promise<InstanceStatus> {
	return waitForStatus(instance, TERMINAL, timeoutMs);
}
