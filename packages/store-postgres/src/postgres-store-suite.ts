// PostgreSQL-specific behaviour, beyond the conformance suite: the database clock, SKIP LOCKED
// across pools, migration locking, LISTEN/NOTIFY and connection loss. Run by
// postgres-store.test.ts when a PostgreSQL answers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { MIGRATIONS } from "./migrations.js";
import { PostgresStore } from "./postgres-store.js";
import { bytes, claimOne, dbNow, freshSchema, LEASE_MS, one, POSTGRES_URL, sql, T0, until, withStores } from "./test-database.js";

export function postgresStoreSuite(): void {
	describe("PostgreSQL store: database clock", () => {
		test("creation and claims use the database's now, whatever the caller passes", () =>
			withStores(1, async (s) => {
				const before = await dbNow();
				await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], Date.UTC(3000, 0, 1));
				const created = await s.getInstance({ workflow: "w", id: "a" });
				const afterCreate = await dbNow();
				assert.ok(created && created.createdAt >= before && created.createdAt <= afterCreate, "created at the database's now");
				assert.equal(created.wakeAt, created.createdAt, "due at once");
				// A caller whose clock is years behind still sees it due, and the lease runs on the database clock.
				const fakeNow = 1_000_000;
				const c = await claimOne(s, fakeNow);
				const afterClaim = await dbNow();
				const leased = await s.getInstance({ workflow: "w", id: "a" });
				assert.ok(leased?.wakeAt, "a leased instance falls due when its lease expires");
				assert.ok(leased.wakeAt >= afterCreate + LEASE_MS && leased.wakeAt <= afterClaim + LEASE_MS, "lease expiry = database now + leaseMs");
				assert.ok((c.instance.startedAt ?? 0) >= afterCreate);
				// nextWakeAt answers in the caller's clock, for the caller's timers.
				assert.equal(await s.nextWakeAt(["w"]), fakeNow + LEASE_MS);
			}));

		test("a suspension's wakeAt becomes the same delay on the database clock", () =>
			withStores(1, async (s) => {
				await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], 0);
				const fakeNow = 5_000;
				const c = await claimOne(s, fakeNow);
				const before = await dbNow();
				await s.completeActivation(c.lease, [], { kind: "suspend", wakeAt: fakeNow + 60_000 }, fakeNow);
				const after = await dbNow();
				const r = await s.getInstance({ workflow: "w", id: "a" });
				assert.equal(r?.status, "waiting");
				assert.ok(r.wakeAt !== null && r.wakeAt >= before + 60_000 && r.wakeAt <= after + 60_000, `wakeAt ${r.wakeAt} is 60 s after the database's now`);
				assert.deepEqual(await s.claimActivations({ slots: [one], now: fakeNow + 120_000, leaseMs: LEASE_MS }), [], "the caller's clock does not make it due");
			}));

		test("the paused time is measured on the database clock", () =>
			withStores(1, async (s) => {
				const key = { workflow: "w", id: "a" };
				await s.createInstances([{ ...key, params: bytes("p") }], 0);
				const before = await dbNow();
				assert.equal(await s.pause(key, 0, false), "ok");
				let pausedMs = -1;
				// The caller claims ten days passed; the database knows better.
				assert.equal(
					await s.resume(key, 10 * 86_400_000, (ms) => {
						pausedMs = ms;
						return { at: 0, kind: "resumed", key: null, data: bytes("r") };
					}),
					"ok",
				);
				const after = await dbNow();
				assert.ok(pausedMs >= 0 && pausedMs <= after - before, `paused ${pausedMs} ms by the database clock`);
			}));
	});

	describe("PostgreSQL store: claims, migrations, wake-ups, connections", () => {
		test("two pools claiming at once take disjoint instances; woken ones come before new ones", () =>
			withStores(
				2,
				async (a, b) => {
					await a.createInstances(
						Array.from({ length: 100 }, (_, i) => ({ workflow: "w", id: `i${i}`, params: bytes("p") })),
						T0,
					);
					const [x, y] = await Promise.all([
						a.claimActivations({ slots: [{ workflow: "w", limit: 60 }], now: T0, leaseMs: LEASE_MS }),
						b.claimActivations({ slots: [{ workflow: "w", limit: 60 }], now: T0, leaseMs: LEASE_MS }),
					]);
					const ids = [...x, ...y].map((c) => c.lease.id);
					assert.equal(ids.length, 100);
					assert.equal(new Set(ids).size, 100, "no instance claimed twice");
					// Suspend one until T0+10; a newer instance, due at T0+5, waits behind it.
					const woken = x[0] as (typeof x)[number];
					await a.completeActivation(woken.lease, [], { kind: "suspend", wakeAt: T0 + 10 }, T0 + 1);
					await a.createInstances([{ workflow: "w", id: "late", params: bytes("p") }], T0 + 5);
					const [first] = await b.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 20, leaseMs: LEASE_MS });
					assert.equal(first?.lease.id, woken.lease.id);
					const [second] = await b.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 20, leaseMs: LEASE_MS });
					assert.equal(second?.lease.id, "late");
				},
				{ clock: "caller" },
			));

		test("processes starting at once run the migrations once", async () => {
			const schema = freshSchema();
			const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open({ connectionString: POSTGRES_URL, schema, poolSize: 2 })));
			try {
				const rows = await sql<{ version: number }>(`SELECT version FROM "${schema}".weft_migrations ORDER BY version`);
				assert.deepEqual(
					rows.map((r) => r.version),
					MIGRATIONS.map((_, i) => i + 1),
				);
			} finally {
				for (const s of stores) await s.close();
				await sql(`DROP SCHEMA "${schema}" CASCADE`);
			}
		});

		test("NOTIFY: a create, an event and a due suspension in one pool wake the listener of another", () =>
			withStores(
				2,
				async (a, b) => {
					const heard: (string | null)[] = [];
					const stop = b.onWake((w) => heard.push(w));
					await until(() => heard.length > 0, "the LISTEN connection");
					assert.deepEqual([...heard], [null], "a (re)connect says anything may be due");
					await a.createInstances([{ workflow: "orders", id: "a", params: bytes("p") }], T0);
					await until(() => heard.includes("orders"), "a wake-up for the create");
					// A waiting instance sent an event is due at once.
					const [c] = await a.claimActivations({ slots: [{ workflow: "orders", limit: 1 }], now: T0, leaseMs: LEASE_MS });
					await a.completeActivation(c!.lease, [], { kind: "suspend", wakeAt: T0 + 60_000 }, T0 + 1);
					heard.length = 0;
					await a.sendEvent({ workflow: "orders", id: "a" }, "go", bytes("1"), T0 + 2);
					await until(() => heard.includes("orders"), "a wake-up for the event");
					// An event during an activation makes its suspension due at once.
					const [d] = await a.claimActivations({ slots: [{ workflow: "orders", limit: 1 }], now: T0 + 3, leaseMs: LEASE_MS });
					await a.sendEvent({ workflow: "orders", id: "a" }, "go", bytes("2"), T0 + 4);
					heard.length = 0;
					await a.completeActivation(d!.lease, [], { kind: "suspend", wakeAt: T0 + 60_000 }, T0 + 5);
					await until(() => heard.includes("orders"), "a wake-up for the due suspension");
					stop();
				},
				{ clock: "caller" },
			));

		test("the LISTEN connection comes back after it is killed", () =>
			withStores(2, async (a, b) => {
				const heard: (string | null)[] = [];
				b.onWake((w) => heard.push(w));
				await until(() => b.wakeConnections === 1, "the LISTEN connection");
				const killed = await sql<{ ok: boolean }>(
					"SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
					[`${b.schema}_1`],
				);
				assert.deepEqual(killed, [{ ok: true }]);
				await until(() => b.wakeConnections === 2, "a reconnect");
				heard.length = 0;
				await a.createInstances([{ workflow: "w", id: "x", params: bytes("p") }], 0);
				await until(() => heard.includes("w"), "a wake-up after the reconnect");
			}));

		test("lost idle connections are reported, not a crash, and reads run again on a fresh one", () =>
			withStores(1, async (s) => {
				await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], 0);
				// Two reads at once leave the pool two idle clients to lose.
				await Promise.all([s.getInstance({ workflow: "w", id: "a" }), s.countByStatus()]);
				await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`${s.schema}_0`]);
				// Straight away, before the pool may have heard: a dead client handed out is retried.
				const [row, counts] = await Promise.all([s.getInstance({ workflow: "w", id: "a" }), s.countByStatus()]);
				assert.equal(row?.status, "queued");
				assert.deepEqual(counts, [{ workflow: "w", status: "queued", count: 1 }]);
				await until(() => s.connectionErrors > 0, "the pool to notice");
				assert.equal((await s.getInstance({ workflow: "w", id: "a" }))?.status, "queued");
			}));

		test("no server: open rejects, nothing crashes", async () => {
			const errors: unknown[] = [];
			await assert.rejects(
				PostgresStore.open({ connectionString: "postgres://postgres@127.0.0.1:1/test", connectionTimeoutMs: 2000, onError: (e) => errors.push(e) }),
				(e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED",
			);
		});

		test("maintenance vacuums and analyzes under an advisory lock", () =>
			withStores(1, async (s) => {
				await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], 0);
				// Another session holding the lock makes this one stand aside.
				const holder = new pg.Client({ connectionString: POSTGRES_URL });
				await holder.connect();
				try {
					await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`weft.maintain:${s.schema}`]);
					assert.equal(await s.maintain(), false);
				} finally {
					await holder.end();
				}
				assert.equal(await s.maintain(), true);
				const [stats] = await sql<{ analyzed: Date | null }>(
					"SELECT last_analyze AS analyzed FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'instances'",
					[s.schema],
				);
				assert.ok(stats?.analyzed, "instances was analyzed");
			}));
	});
}
