// The alert notifier on a store with roles (Store.holdRole), without a database: a store whose
// role is held in memory, two monitors sharing one tally of finishes, and a webhook receiver on
// 127.0.0.1. Only the holder notifies; a monitor that takes the role over treats that evaluation
// as a baseline and notifies only the changes after it (the PostgreSQL end to end test is in
// packages/server/src/alerts-postgres.test.ts).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import type { Engine } from "@weft/core";
import { AlertMonitor } from "./alert-monitor.js";
import { FinishWindow } from "./finish-window.js";
import type { StoreSnapshot } from "./store-snapshot.js";

test("only the holder of the alerts role notifies; a takeover starts with a baseline", async () => {
	const received: { state: string; detail: string; by: string }[] = [];
	const server = createServer((req, res) => {
		let body = "";
		req.on("data", (d) => (body += d));
		req.on("end", () => {
			received.push({ ...JSON.parse(body), by: req.url?.slice(1) ?? "" });
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	let roleHolder: string | null = null;
	const store = {
		holdRole: async (_role: string, holder: string, ttlMs: number) => {
			if (roleHolder !== null && roleHolder !== holder) return false;
			roleHolder = ttlMs > 0 ? holder : null;
			return true;
		},
		listInstances: async () => ({ instances: [], next: null }),
	};
	const engine = { clock: { now: () => Date.now() }, store } as unknown as Engine;
	const snapshot = { read: async () => ({ at: Date.now(), queues: [] }) } as unknown as StoreSnapshot;
	// One window for both: what the shared tally is to processes on PostgreSQL.
	const finishes = new FinishWindow(3_600_000);
	const monitor = (name: string) =>
		new AlertMonitor({
			engine,
			snapshot,
			finishes,
			rules: [{ name: "errors", kind: "errorRate", over: 0.5, window: "1 hour" }],
			workflows: ["w"],
			defaultWebhook: `${base}/${name}`,
			holder: name,
		});
	const a = monitor("A");
	const b = monitor("B");
	try {
		await a.evaluate();
		await b.evaluate();
		assert.equal(roleHolder, "A");
		assert.deepEqual([a.notifying, b.notifying], [true, false]);

		finishes.record("w", true);
		await a.evaluate();
		await b.evaluate();
		assert.deepEqual([a.list()[0]?.state, b.list()[0]?.state], ["firing", "firing"], "both evaluate");
		await a.stop();
		assert.equal(roleHolder, null, "a stopping holder hands the role back");
		assert.deepEqual(
			received.map((n) => [n.by, n.state]),
			[["A", "firing"]],
		);

		// B takes the role over in the evaluation that sees the rule resolve: a baseline, not notified.
		finishes.record("w", false);
		finishes.record("w", false);
		await b.evaluate();
		assert.equal(b.notifying, true);
		assert.equal(b.list()[0]?.state, "ok");
		// The next change is B's to notify.
		for (let i = 0; i < 3; i++) finishes.record("w", true);
		await b.evaluate();
		await b.stop();
		assert.deepEqual(
			received.map((n) => [n.by, n.state]),
			[
				["A", "firing"],
				["B", "firing"],
			],
		);
		assert.match(received[1]?.detail ?? "", /^4 of 6 instances/);
	} finally {
		await a.stop();
		await b.stop();
		server.close();
	}
});
