// For the encryption tests (SQLite and PostgreSQL): the same workload through the HTTP API — an
// instance of "secretive" that waits for a "reply" event and completes, and one of "failing" that
// errors — each value carrying `marker`, so the tests can look for it in the database afterwards.

import type { WeftClient } from "@weft/client";
import type { InstanceStatus } from "@weft/core";
import { until } from "./until.js";

export async function runMarkedWorkload(client: WeftClient, marker: string): Promise<{ done: InstanceStatus; errored: InstanceStatus }> {
	const s = await client.workflow("secretive").create({ id: "s-1", params: { note: `${marker} (params)` } });
	await until(
		() => s.status(),
		(st) => st.status === "waiting",
		"s-1 to wait for its event",
	);
	await s.sendEvent({ type: "reply", payload: { note: `${marker} (event)` } });
	const done = await until(
		() => s.status(),
		(st) => st.status === "complete",
		"s-1 to complete",
	);
	const f = await client.workflow("failing").create({ id: "f-1" });
	const errored = await until(
		() => f.status(),
		(st) => st.status === "errored",
		"f-1 to error",
	);
	return { done, errored };
}
