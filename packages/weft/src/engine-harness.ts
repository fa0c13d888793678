// Test support shared by the engine's own tests: an engine on a fresh SQLite file in a temp
// directory, and polling helpers. Not exported from the package.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock, Engine, EngineOptions, InstanceStatus, WorkflowInstance } from "@weft/core";
import { createEngine } from "./create-engine.js";

export interface Harness {
	engine: Engine;
	dir: string;
	database: string;
	close(): Promise<void>;
}

export async function startEngine(
	workflows: EngineOptions["workflows"],
	options: { alwaysReplay?: boolean; clock?: Clock; database?: string; env?: Record<string, unknown> } = {},
): Promise<Harness> {
	const dir = mkdtempSync(join(tmpdir(), "weft-engine-test-"));
	const database = options.database ?? join(dir, "test.db");
	const engine = await createEngine({
		database,
		workflows,
		alwaysReplay: options.alwaysReplay ?? false,
		// On a manual clock, long jumps would otherwise fire a lease renewal every 10 s of them.
		...(options.clock ? { clock: options.clock, leaseMs: 86_400_000 } : {}),
		...(options.env ? { env: options.env } : {}),
		onError: (e, context) => {
			throw new Error(`unexpected engine error (${context}): ${e}`);
		},
	});
	return {
		engine,
		dir,
		database,
		async close() {
			await engine.close({ graceMs: 0 });
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** Lets the event loop turn a few times (group commits and activations settle on setImmediate). */
export async function turns(n = 30): Promise<void> {
	for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

const TERMINAL = new Set(["complete", "errored", "terminated"]);

/** Polls status() until `wanted` holds; fails with the last status after `timeoutMs` of real time. */
export async function waitForStatus(
	instance: WorkflowInstance,
	wanted: string | ((s: InstanceStatus) => boolean),
	timeoutMs = 10_000,
): Promise<InstanceStatus> {
	const ok = typeof wanted === "function" ? wanted : (s: InstanceStatus) => s.status === wanted;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const s = await instance.status();
		if (ok(s)) return s;
		if (Date.now() > deadline)
			throw new Error(`instance ${instance.id} did not reach ${typeof wanted === "string" ? wanted : "the expected state"}; last status ${JSON.stringify(s)}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

export function waitTerminal(instance: WorkflowInstance, timeoutMs?: number): Promise<InstanceStatus> {
	return waitForStatus(instance, (s) => TERMINAL.has(s.status), timeoutMs);
}
