// Fencing counts and the group commit against a real server: one transaction per turn, writes
// that fail alone, failed COMMITs, pipelined batches run again, deadlocks survived.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Lease, LeaseLostError } from "@weft/core";
import pg from "pg";
import { bytes, claimOne, LEASE_MS, POSTGRES_URL, recs, sql, T0, until, withStores } from "./test-database.js";

export function groupCommitSuite(): void {
	describe("PostgreSQL store: fencing and group commit", () => {
		test("stale writes are rejected, counted, and never applied", () =>
			withStores(
				1,
				async (s) => {
					await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
					const first = await claimOne(s, T0);
					const second = await claimOne(s, T0 + LEASE_MS + 1);
					await assert.rejects(s.appendJournal(first.lease, recs(first.lease, "late")), LeaseLostError);
					await assert.rejects(
						s.completeActivation(first.lease, recs(first.lease, "finished"), { kind: "complete", output: bytes("x") }, T0 + 2),
						LeaseLostError,
					);
					assert.equal(s.staleWritesRejected, 2);
					await s.completeActivation(second.lease, recs(second.lease, "finished"), { kind: "complete", output: bytes("ok") }, T0 + 3);
					assert.equal(s.staleWritesRejected, 2);
					assert.deepEqual(
						(await s.readJournal({ workflow: "w", id: "a" })).map((r) => r.kind),
						["finished"],
					);
					assert.equal(Buffer.from((await s.getInstance({ workflow: "w", id: "a" }))?.output ?? []).toString(), "ok");
				},
				{ clock: "caller" },
			));

		test("writes of one turn share one transaction; a stale one fails alone on the fast path", () =>
			withStores(
				1,
				async (s) => {
					const ids = Array.from({ length: 50 }, (_, i) => `i${i}`);
					await s.createInstances(
						ids.map((id) => ({ workflow: "w", id, params: bytes(id) })),
						T0,
					);
					const claims = await s.claimActivations({ slots: [{ workflow: "w", limit: 100 }], now: T0, leaseMs: LEASE_MS });
					assert.equal(claims.length, 50);
					const stale = { ...(claims[0]?.lease as Lease), epoch: (claims[0]?.lease.epoch ?? 0) - 1 };
					const { batches, carefulBatches } = s.writes;
					const results = await Promise.allSettled([
						...claims.map((c) => s.appendJournal(c.lease, recs(c.lease, "attempt"))),
						...claims.map((c) => s.completeActivation(c.lease, [], { kind: "suspend", wakeAt: T0 + 1000 }, T0 + 1)),
						s.appendJournal(stale, recs(stale, "stale")),
					]);
					assert.equal(s.writes.batches - batches, 1, "one transaction");
					assert.equal(s.writes.carefulBatches - carefulBatches, 0, "a lost lease needs no savepoints");
					assert.deepEqual(
						results.map((r) => r.status),
						[...Array(100).fill("fulfilled"), "rejected"],
					);
					const counts = await s.countByStatus();
					assert.deepEqual(counts, [{ workflow: "w", status: "waiting", count: 50 }]);
					const [journal] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "${s.schema}".journal`);
					assert.equal(Number(journal?.n), 50);
				},
				{ clock: "caller" },
			));

		test("a write that fails in SQL fails alone; the rest of its batch commits", () =>
			withStores(
				1,
				async (s) => {
					await s.createInstances(
						["a", "b"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
						T0,
					);
					const claims = await s.claimActivations({ slots: [{ workflow: "w", limit: 2 }], now: T0, leaseMs: LEASE_MS });
					const [a, b] = claims.map((c) => c.lease) as [Lease, Lease];
					await s.appendJournal(a, recs(a, "one"));
					const { carefulBatches } = s.writes;
					// The same seq again: a primary-key violation inside the batch.
					const results = await Promise.allSettled([
						s.appendJournal(a, recs(a, "one-again")),
						s.appendJournal(b, recs(b, "fine")),
						s.createInstances([{ workflow: "w", id: "c", params: bytes("c") }], T0),
					]);
					assert.equal(s.writes.carefulBatches - carefulBatches, 1);
					assert.equal(results[0]?.status, "rejected");
					assert.equal((results[0] as PromiseRejectedResult).reason.code, "23505");
					assert.deepEqual(
						results.slice(1).map((r) => r.status),
						["fulfilled", "fulfilled"],
					);
					assert.deepEqual(
						(await s.readJournal({ workflow: "w", id: "b" })).map((r) => r.kind),
						["fine"],
					);
					assert.equal((await s.getInstance({ workflow: "w", id: "c" }))?.status, "queued");
				},
				{ clock: "caller" },
			));

		test("a failed COMMIT fails exactly the writes in it", () =>
			withStores(
				1,
				async (s) => {
					// A deferred constraint fails at COMMIT, after every statement succeeded.
					await sql(`
						CREATE FUNCTION "${s.schema}".no_poison() RETURNS trigger LANGUAGE plpgsql AS
						$$ BEGIN IF NEW.kind = 'poison' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NULL; END $$;
						CREATE CONSTRAINT TRIGGER no_poison AFTER INSERT ON "${s.schema}".journal DEFERRABLE INITIALLY DEFERRED
						FOR EACH ROW EXECUTE FUNCTION "${s.schema}".no_poison();`);
					await s.createInstances(
						["a", "b"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
						T0,
					);
					const claims = await s.claimActivations({ slots: [{ workflow: "w", limit: 2 }], now: T0, leaseMs: LEASE_MS });
					const [a, b] = claims.map((c) => c.lease) as [Lease, Lease];
					const failed = await Promise.allSettled([
						s.appendJournal(a, recs(a, "poison")),
						s.appendJournal(b, recs(b, "innocent")),
						s.createInstances([{ workflow: "w", id: "c", params: bytes("c") }], T0),
					]);
					assert.deepEqual(
						failed.map((r) => r.status),
						["rejected", "rejected", "rejected"],
					);
					assert.equal(await s.getInstance({ workflow: "w", id: "c" }), null);
					assert.deepEqual(await s.readJournal({ workflow: "w", id: "b" }), []);
					// The next batch is a new transaction; but a lease whose write was lost is refused
					// from now on, so its activation cannot commit on top of the hole.
					await s.createInstances([{ workflow: "w", id: "c", params: bytes("c") }], T0);
					assert.equal((await s.getInstance({ workflow: "w", id: "c" }))?.status, "queued");
					await assert.rejects(s.completeActivation(b, recs(b, "finished"), { kind: "complete", output: bytes("x") }, T0), LeaseLostError);
					assert.equal((await s.getInstance({ workflow: "w", id: "b" }))?.status, "running");
					// A new claim (after the lease expires) writes again.
					const [again] = await s.claimActivations({ slots: [{ workflow: "w", limit: 2 }], now: T0 + LEASE_MS + 1, leaseMs: LEASE_MS });
					assert.ok(again);
					await s.appendJournal(again.lease, recs(again.lease, "innocent"));
					assert.deepEqual(
						(await s.readJournal({ workflow: "w", id: again.lease.id })).map((r) => r.kind),
						["innocent"],
					);
				},
				{ clock: "caller" },
			));
		test("a batch that ran while the previous one was committing is run again if that COMMIT fails", () =>
			withStores(
				1,
				async (s) => {
					// The poison row's COMMIT waits on an advisory lock the test holds, then fails.
					await sql(`
						CREATE FUNCTION "${s.schema}".no_poison() RETURNS trigger LANGUAGE plpgsql AS
						$$ BEGIN IF NEW.kind = 'poison' THEN PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA)); RAISE EXCEPTION 'poison'; END IF; RETURN NULL; END $$;
						CREATE CONSTRAINT TRIGGER no_poison AFTER INSERT ON "${s.schema}".journal DEFERRABLE INITIALLY DEFERRED
						FOR EACH ROW EXECUTE FUNCTION "${s.schema}".no_poison();`);
					await s.createInstances(
						["a", "b"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
						T0,
					);
					const claims = await s.claimActivations({ slots: [{ workflow: "w", limit: 2 }], now: T0, leaseMs: LEASE_MS });
					const [a, b] = claims.map((c) => c.lease) as [Lease, Lease];
					const holder = new pg.Client({ connectionString: POSTGRES_URL });
					await holder.connect();
					try {
						await holder.query("SELECT pg_advisory_lock(hashtext($1))", [s.schema]);
						const { rerunBatches } = s.writes;
						const first = Promise.allSettled([s.appendJournal(a, recs(a, "poison")), s.appendJournal(b, recs(b, "attempt"))]);
						await until(
							async () =>
								(
									await sql(
										"SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1",
										[`${s.schema}_0`],
									)
								).length > 0,
							"the first COMMIT to wait",
						);
						// b's activation goes on as if its append will commit (the engine's commit-behind).
						const second = Promise.allSettled([
							s.completeActivation(b, recs(b, "finished"), { kind: "complete", output: bytes("x") }, T0),
							s.createInstances([{ workflow: "w", id: "c", params: bytes("c") }], T0),
						]);
						await holder.query("SELECT pg_advisory_unlock(hashtext($1))", [s.schema]);
						assert.deepEqual(
							(await first).map((r) => r.status),
							["rejected", "rejected"],
						);
						const [completed, created] = await second;
						assert.equal(completed?.status, "rejected");
						assert.ok((completed as PromiseRejectedResult).reason instanceof LeaseLostError, "b's completion cannot commit without its append");
						assert.equal(created?.status, "fulfilled");
						assert.equal(s.writes.rerunBatches - rerunBatches, 1);
					} finally {
						await holder.end();
					}
					assert.equal((await s.getInstance({ workflow: "w", id: "b" }))?.status, "running");
					assert.deepEqual(await s.readJournal({ workflow: "w", id: "b" }), []);
					assert.equal((await s.getInstance({ workflow: "w", id: "c" }))?.status, "queued");
				},
				{ clock: "caller" },
			));

		test("a connection lost in the middle of a batch fails that batch's writes; the next batch works", () =>
			withStores(1, async (s) => {
				const key = { workflow: "w", id: "a" };
				await s.createInstances([{ ...key, params: bytes("p") }], 0);
				const blocker = new pg.Client({ connectionString: POSTGRES_URL });
				await blocker.connect();
				try {
					await blocker.query("BEGIN");
					await blocker.query(`SELECT 1 FROM "${s.schema}".instances WHERE id = 'a' FOR UPDATE`);
					const sent = s.sendEvent(key, "go", bytes("1"), 0);
					sent.catch(() => {});
					await until(
						async () =>
							(await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [`${s.schema}_0`]))
								.length > 0,
						"the batch to block, then its connection to be killed",
					);
					await assert.rejects(sent, (e: Error) => /terminat/i.test(e.message));
					await blocker.query("ROLLBACK");
				} finally {
					await blocker.end();
				}
				assert.equal(await s.sendEvent(key, "go", bytes("2"), 0), "ok");
				assert.deepEqual(
					(await s.readEvents(key)).map((e) => Buffer.from(e.payload).toString()),
					["2"],
				);
			}));

		test("a batch chosen as a deadlock victim is run again and succeeds", () =>
			withStores(1, async (s) => {
				await s.createInstances(
					["x", "y"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
					0,
				);
				const other = new pg.Client({ connectionString: POSTGRES_URL });
				await other.connect();
				try {
					// The other session waits longer before checking for deadlocks, so the batch is the victim.
					await other.query("BEGIN");
					await other.query("SET LOCAL deadlock_timeout = '20s'");
					await other.query(`SELECT 1 FROM "${s.schema}".instances WHERE id = 'y' FOR UPDATE`);
					const { carefulBatches } = s.writes;
					// One batch: x is locked first, then y waits on the other session.
					const sent = Promise.all([
						s.sendEvent({ workflow: "w", id: "x" }, "go", bytes("x"), 0),
						s.sendEvent({ workflow: "w", id: "y" }, "go", bytes("y"), 0),
					]);
					await until(
						async () => (await sql("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [`${s.schema}_0`])).length > 0,
						"the batch to wait for y",
					);
					// Now the other session wants x: a deadlock, which the batch detects first and loses.
					await other.query(`SELECT 1 FROM "${s.schema}".instances WHERE id = 'x' FOR UPDATE`);
					await other.query("COMMIT");
					assert.deepEqual(await sent, ["ok", "ok"]);
					assert.equal(s.writes.carefulBatches - carefulBatches, 1, "the batch fell back to savepoints");
				} finally {
					await other.end();
				}
				for (const id of ["x", "y"]) assert.equal((await s.readEvents({ workflow: "w", id })).length, 1);
			}));
	});
}
