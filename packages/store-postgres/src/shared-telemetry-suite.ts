// What processes sharing a schema coordinate their alerts with: the roles table (holdRole: one
// holder at a time, renewals, expiry, hand-back) and the per-second tally of finishes
// (addFinishCounts, sumFinishCounts, deleteFinishCounts). Run by postgres-store.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dbNow, T0, withStores } from "./test-database.js";

export function sharedTelemetrySuite(): void {
	describe("PostgreSQL store: roles and the shared finish tally", () => {
		test("a role has one holder until it expires or is handed back (caller clock)", () =>
			withStores(
				2,
				async (a, b) => {
					assert.equal(await a.holdRole("alerts", "A", 1000, T0), true, "a free role is taken");
					assert.equal(await b.holdRole("alerts", "B", 1000, T0 + 500), false, "held by another");
					assert.equal(await a.holdRole("alerts", "A", 1000, T0 + 900), true, "renewed by its holder, until T0 + 1900");
					assert.equal(await b.holdRole("alerts", "B", 1000, T0 + 1899), false, "not expired yet");
					assert.equal(await b.holdRole("alerts", "B", 1000, T0 + 1900), true, "taken over once expired");
					assert.equal(await a.holdRole("alerts", "A", 1000, T0 + 1901), false, "the old holder has lost it");
					assert.equal(await b.holdRole("other", "B", 1000, T0 + 1901), true, "roles are independent");
					assert.equal(await b.holdRole("alerts", "B", 0, T0 + 2000), true, "handed back (TTL 0)");
					assert.equal(await a.holdRole("alerts", "A", 1000, T0 + 2000), true, "free again at once");
				},
				{ clock: "caller" },
			));

		test("processes asking for a free role at once: exactly one gets it", () =>
			withStores(4, async (...stores) => {
				const got = await Promise.all(stores.map((s, i) => s.holdRole("alerts", `P${i}`, 60_000, 0)));
				assert.equal(got.filter(Boolean).length, 1, `holders: ${got}`);
			}));

		test("on the database clock, the role expires by the database's now, whatever the caller passes", () =>
			withStores(2, async (a, b) => {
				const before = await dbNow();
				assert.equal(await a.holdRole("alerts", "A", 60_000, 0), true);
				// A caller whose clock is far ahead cannot take a role that has not expired on the database's clock.
				assert.equal(await b.holdRole("alerts", "B", 60_000, Date.UTC(3000, 0, 1)), false);
				const [row] = await a.pool.query<{ expires_at: number }>(`SELECT expires_at FROM "${a.schema}".roles WHERE role = 'alerts'`).then((r) => r.rows);
				assert.ok(row && row.expires_at >= before + 60_000 && row.expires_at <= (await dbNow()) + 60_000, "expires 60 s after the database's now");
				assert.equal(await a.holdRole("alerts", "A", 0, 0), true, "handed back");
				assert.equal(await b.holdRole("alerts", "B", 60_000, 0), true);
			}));

		test("finish counts add up across processes per workflow and second; sums read a window; old seconds are deleted", () =>
			withStores(
				2,
				async (a, b) => {
					const s = (ms: number) => Math.floor(ms / 1000);
					await a.addFinishCounts([
						{ workflow: "w", second: s(T0), complete: 2, errored: 1 },
						{ workflow: "w", second: s(T0 + 5000), complete: 1, errored: 0 },
						{ workflow: "v", second: s(T0), complete: 0, errored: 4 },
					]);
					// The same keys from another process, and twice in one call: added, not replaced.
					await b.addFinishCounts([
						{ workflow: "w", second: s(T0), complete: 1, errored: 1 },
						{ workflow: "w", second: s(T0), complete: 0, errored: 1 },
					]);
					assert.deepEqual(await a.sumFinishCounts(["w"], T0), { finished: 7, errored: 3 });
					assert.deepEqual(await b.sumFinishCounts(["w"], T0 + 999), { finished: 7, errored: 3 }, "the second holding `from` counts whole");
					assert.deepEqual(await b.sumFinishCounts(["w"], T0 + 1000), { finished: 1, errored: 0 }, "from the next second on");
					assert.deepEqual(await b.sumFinishCounts(["w", "v"], T0 - 60_000), { finished: 11, errored: 7 });
					assert.deepEqual(await b.sumFinishCounts(["x"], 0), { finished: 0, errored: 0 });
					await a.addFinishCounts([]);
					await a.deleteFinishCounts(T0 + 1000);
					assert.deepEqual(await b.sumFinishCounts(["w", "v"], 0), { finished: 1, errored: 0 }, "only T0 + 5 s is left");
				},
				{ clock: "caller" },
			));

		test("many processes adding the same seconds at once lose nothing", () =>
			withStores(3, async (...stores) => {
				const now = Date.now();
				const batch = Array.from({ length: 20 }, (_, i) => ({ workflow: i % 2 ? "w" : "v", second: Math.floor(now / 1000) - i, complete: 1, errored: 1 }));
				await Promise.all(stores.flatMap((s) => [s.addFinishCounts(batch), s.addFinishCounts([...batch].reverse())]));
				assert.deepEqual(await stores[0]?.sumFinishCounts(["v", "w"], now - 60_000), { finished: 240, errored: 120 });
			}));
	});
}
