// The behaviour every Store must show, as a node:test suite. Each store package runs it against
// its own implementation: `storeConformance("sqlite", () => new SqliteStore({ path }))`. A
// behaviour that differs between stores is a bug in one of them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LeaseLostError } from "./errors.js";
import { type JournalRecord, journalSeq, type Lease, type ListInstancesQuery, type NewJournalRecord, type Store } from "./store.js";

const T0 = Date.UTC(2026, 0, 1);
const LEASE_MS = 30_000;
const bytes = (s: string) => new TextEncoder().encode(s);
const rec = (kind: string, key: string | null = null, at = T0): NewJournalRecord => ({ at, kind, key, data: bytes(kind) });
/** Records numbered under a lease, as an activation numbers them. */
const under = (lease: Lease, ...records: NewJournalRecord[]): JournalRecord[] => records.map((r, i) => ({ ...r, seq: journalSeq(lease.epoch, i + 1) }));

export function storeConformance(label: string, open: () => Promise<Store> | Store): void {
	const withStore = (name: string, fn: (s: Store) => Promise<void>) =>
		test(name, async () => {
			const store = await open();
			try {
				await fn(store);
			} finally {
				await store.close();
			}
		});

	describe(`Store conformance: ${label}`, () => {
		withStore("creates instances as queued and due; a duplicate id fails alone", async (s) => {
			const out = await s.createInstances(
				[
					{ workflow: "w", id: "a", params: bytes("p") },
					{ workflow: "w", id: "a", params: bytes("q") },
					{ workflow: "other", id: "a", params: bytes("r") },
				],
				T0,
			);
			assert.deepEqual(out, [{ ok: true }, { ok: false, code: "instance.already_exists" }, { ok: true }]);
			const a = await s.getInstance({ workflow: "w", id: "a" });
			assert.equal(a?.status, "queued");
			assert.deepEqual(Buffer.from(a?.params ?? []).toString(), "p");
			assert.equal(a?.wakeAt, T0);
			assert.equal(await s.getInstance({ workflow: "w", id: "missing" }), null);
			assert.equal(await s.nextWakeAt(["w", "other"]), T0);
		});

		withStore("claims due instances once, under a lease that expires", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const [first, ...none] = await s.claimActivations({ slots: [{ workflow: "w", limit: 10 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(first);
			assert.equal(none.length, 0);
			assert.equal(first.instance.status, "running");
			assert.deepEqual(await s.claimActivations({ slots: [{ workflow: "w", limit: 10 }], now: T0 + 1, leaseMs: LEASE_MS }), []);
			const [again] = await s.claimActivations({ slots: [{ workflow: "w", limit: 10 }], now: T0 + LEASE_MS + 1, leaseMs: LEASE_MS });
			assert.ok(again, "an expired lease makes the instance claimable");
			assert.ok(again.lease.epoch > first.lease.epoch);
			await assert.rejects(s.appendJournal(first.lease, under(first.lease, rec("attempt", "do:x#1"))), LeaseLostError);
			await s.appendJournal(again.lease, under(again.lease, rec("attempt", "do:x#1"), rec("sleep", "sleep:y#1")));
			const journal = await s.readJournal({ workflow: "w", id: "a" });
			assert.deepEqual(
				journal.map((r) => [r.kind, r.key]),
				[
					["attempt", "do:x#1"],
					["sleep", "sleep:y#1"],
				],
			);
			assert.ok((journal[0]?.seq ?? 0) < (journal[1]?.seq ?? 0));
		});

		withStore("renewal keeps a lease; a lost lease is reported", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(c);
			assert.deepEqual(await s.renewLeases([c.lease], T0 + 20_000, LEASE_MS), []);
			assert.deepEqual(
				await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + LEASE_MS + 1, leaseMs: LEASE_MS }),
				[],
				"renewed past the first expiry",
			);
			const stale = { ...c.lease, epoch: c.lease.epoch - 1 };
			assert.deepEqual(await s.renewLeases([stale], T0 + 20_000, LEASE_MS), [stale]);
			await s.completeActivation(c.lease, [], { kind: "suspend", wakeAt: T0 + 25_000 }, T0 + 21_000);
			assert.deepEqual(await s.renewLeases([c.lease], T0 + 22_000, LEASE_MS), [c.lease], "a suspended activation's lease is gone");
			assert.equal((await s.getInstance({ workflow: "w", id: "a" }))?.wakeAt, T0 + 25_000, "a late renewal leaves the timer alone");
		});

		withStore("completing ends the activation: complete, errored, suspended", async (s) => {
			await s.createInstances(
				["a", "b", "c"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
				T0,
			);
			const claims = await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0, leaseMs: LEASE_MS });
			const by = (id: string) => claims.find((c) => c.lease.id === id)!.lease;
			await s.completeActivation(by("a"), under(by("a"), rec("finished")), { kind: "complete", output: bytes("out") }, T0 + 5);
			await s.completeActivation(by("b"), [], { kind: "errored", error: { name: "TypeError", message: "boom" } }, T0 + 5);
			await s.completeActivation(by("c"), under(by("c"), rec("sleep", "sleep:z#1")), { kind: "suspend", wakeAt: T0 + 1000 }, T0 + 5);
			const a = await s.getInstance({ workflow: "w", id: "a" });
			assert.equal(a?.status, "complete");
			assert.equal(Buffer.from(a?.output ?? []).toString(), "out");
			assert.equal(a?.endedAt, T0 + 5);
			assert.deepEqual((await s.getInstance({ workflow: "w", id: "b" }))?.error, { name: "TypeError", message: "boom" });
			const c = await s.getInstance({ workflow: "w", id: "c" });
			assert.equal(c?.status, "waiting");
			assert.equal(c?.wakeAt, T0 + 1000);
			assert.equal(await s.nextWakeAt(["w", "other"]), T0 + 1000);
			assert.deepEqual(await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0 + 999, leaseMs: LEASE_MS }), [], "never early");
			const [woken] = await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0 + 1000, leaseMs: LEASE_MS });
			assert.equal(woken?.lease.id, "c");
			assert.deepEqual(
				woken?.journal.map((r) => r.key),
				["sleep:z#1"],
			);
			await assert.rejects(s.completeActivation(by("c"), [], { kind: "complete", output: bytes("x") }, T0), LeaseLostError);
		});

		withStore("an event wakes a waiting instance, and one sent during an activation is not lost", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(c);
			assert.equal(await s.sendEvent({ workflow: "w", id: "a" }, "go", bytes("1"), T0 + 1), "ok");
			// The activation did not see that event; suspending must leave the instance due now.
			await s.completeActivation(c.lease, [], { kind: "suspend", wakeAt: T0 + 60_000 }, T0 + 2);
			assert.equal((await s.getInstance({ workflow: "w", id: "a" }))?.wakeAt, T0 + 2);
			const [again] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 2, leaseMs: LEASE_MS });
			assert.deepEqual(
				again?.events.map((e) => [e.type, Buffer.from(e.payload).toString()]),
				[["go", "1"]],
			);
			await s.completeActivation(again!.lease, [], { kind: "suspend", wakeAt: T0 + 60_000 }, T0 + 3);
			await s.sendEvent({ workflow: "w", id: "a" }, "go", bytes("2"), T0 + 4);
			assert.equal((await s.getInstance({ workflow: "w", id: "a" }))?.wakeAt, T0 + 4, "a waiting instance is due at once");
			assert.deepEqual(
				(await s.readEvents({ workflow: "w", id: "a" })).map((e) => e.type),
				["go", "go"],
			);
			assert.equal(await s.sendEvent({ workflow: "w", id: "zz" }, "go", bytes("x"), T0), "not_found");
		});

		withStore("pause holds an instance; resume makes it due and records the paused time", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const key = { workflow: "w", id: "a" };
			assert.equal(await s.pause(key, T0 + 10, false), "ok");
			assert.equal((await s.getInstance(key))?.status, "paused");
			assert.deepEqual(await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 100, leaseMs: LEASE_MS }), []);
			assert.equal(await s.resume(key, T0 + 510, (ms) => ({ ...rec("resumed"), data: bytes(String(ms)) })), "ok");
			const r = await s.getInstance(key);
			assert.equal(r?.status, "queued");
			assert.equal(r?.pauseRequested, false);
			const journal = await s.readJournal(key);
			assert.deepEqual(
				journal.map((j) => [j.kind, Buffer.from(j.data).toString()]),
				[["resumed", "500"]],
			);
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 510, leaseMs: LEASE_MS });
			assert.ok(c);
			assert.equal(await s.pause(key, T0 + 600, true), "ok");
			assert.equal((await s.getInstance(key))?.status, "waitingForPause");
			await s.completeActivation(c.lease, [], { kind: "suspend", wakeAt: T0 + 600 }, T0 + 700);
			assert.equal((await s.getInstance(key))?.status, "paused", "a pending pause takes effect when the activation ends");
			const [d] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 800, leaseMs: LEASE_MS });
			assert.equal(d, undefined, "a paused instance is not claimed");
			await s.resume(key, T0 + 900, () => rec("resumed"));
			await assert.rejects(s.appendJournal(c!.lease, under(c!.lease, rec("attempt", "do:late#1"))), LeaseLostError, "resume fences the old lease");
			const journal2 = await s.readJournal(key);
			assert.ok(
				journal2.every((j, i) => i === 0 || j.seq > (journal2[i - 1]?.seq ?? 0)),
				"seqs increase in write order",
			);
		});

		withStore("terminate fences the live activation and is refused on a finished instance", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const key = { workflow: "w", id: "a" };
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.equal(await s.terminate(key, T0 + 1, rec("finished")), "ok");
			const r = await s.getInstance(key);
			assert.equal(r?.status, "terminated");
			assert.equal(r?.wakeAt, null);
			await assert.rejects(s.appendJournal(c!.lease, under(c!.lease, rec("attempt", "do:x#1"))), LeaseLostError);
			assert.equal(await s.terminate(key, T0 + 2, rec("finished")), "finished");
			assert.equal(await s.terminate({ workflow: "w", id: "nope" }, T0, rec("finished")), "not_found");
			assert.equal(await s.pause(key, T0 + 3, false), "finished");
		});

		withStore("restart starts a new generation, keeping the records before the named step", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const key = { workflow: "w", id: "a" };
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			await s.completeActivation(
				c!.lease,
				under(c!.lease, rec("attempt", "do:one#1"), rec("attempt", "do:two#1"), rec("attempt", "do:three#1")),
				{ kind: "complete", output: bytes("o") },
				T0 + 1,
			);
			assert.equal(await s.restart(key, "do:nope#1", T0 + 2), "step_not_found");
			assert.equal((await s.getInstance(key))?.status, "complete", "a refused restart changes nothing");
			assert.equal(await s.restart(key, "do:two#1", T0 + 3), "ok");
			const r = await s.getInstance(key);
			assert.equal(r?.status, "queued");
			assert.equal(r?.output, null);
			assert.equal(r?.generation, 1);
			assert.deepEqual(
				(await s.readJournal(key)).map((j) => j.key),
				["do:one#1"],
			);
			assert.equal(await s.restart(key, null, T0 + 4), "ok");
			assert.deepEqual(await s.readJournal(key), []);
			assert.equal(await s.restart({ workflow: "w", id: "nope" }, null, T0), "not_found");
		});

		withStore("restart deletes the events named consumed and keeps the rest; event seqs are never reused", async (s) => {
			const key = { workflow: "w", id: "a" };
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			assert.equal(await s.sendEvent(key, "go", bytes("1"), T0 + 1), "ok");
			assert.equal(await s.sendEvent(key, "go", bytes("2"), T0 + 2), "ok");
			const [kept, taken] = await s.readEvents(key);
			assert.ok(taken && kept);
			assert.equal(await s.restart(key, null, T0 + 3, [taken.seq]), "ok");
			assert.deepEqual(
				(await s.readEvents(key)).map((e) => e.seq),
				[kept.seq],
			);
			assert.equal(await s.sendEvent(key, "go", bytes("3"), T0 + 4), "ok");
			const seqs = (await s.readEvents(key)).map((e) => e.seq);
			assert.equal(seqs.length, 2);
			assert.ok((seqs[1] as number) > taken.seq, "a new event's seq is above every earlier one, deleted ones included");
		});

		withStore("lists a workflow's instances newest first, by pages, with filters; counts by status", async (s) => {
			const ids = Array.from({ length: 7 }, (_, i) => `i${i}`);
			for (const [i, id] of ids.entries()) await s.createInstances([{ workflow: "w", id, params: bytes("p") }], T0 + i * 10);
			await s.createInstances([{ workflow: "other", id: "x", params: bytes("p") }], T0);
			await s.terminate({ workflow: "w", id: "i3" }, T0 + 100, rec("finished"));
			const seen: string[] = [];
			let after: ListInstancesQuery["after"];
			for (let page = 0; page < 10; page++) {
				const r = await s.listInstances({ workflow: "w", limit: 3, ...(after ? { after } : {}) });
				seen.push(...r.instances.map((x) => x.id));
				if (!r.next) break;
				after = r.next;
			}
			assert.deepEqual(seen, [...ids].reverse());
			const terminated = await s.listInstances({ workflow: "w", limit: 10, status: "terminated" });
			assert.deepEqual(
				terminated.instances.map((x) => x.id),
				["i3"],
			);
			assert.equal(terminated.next, null);
			const window = await s.listInstances({ workflow: "w", limit: 10, createdFrom: T0 + 20, createdBefore: T0 + 40 });
			assert.deepEqual(
				window.instances.map((x) => x.id),
				["i3", "i2"],
			);
			const counts = await s.countByStatus();
			assert.deepEqual(counts.map((c) => [c.workflow, c.status, c.count]).sort(), [
				["other", "queued", 1],
				["w", "queued", 6],
				["w", "terminated", 1],
			]);
			assert.deepEqual((await s.readJournal({ workflow: "w", id: "i3" }, 0)).length, 1);
			const [last] = await s.readJournal({ workflow: "w", id: "i3" });
			assert.deepEqual(await s.readJournal({ workflow: "w", id: "i3" }, last!.seq), [], "nothing after the last seq");
		});

		withStore("releasing all leases makes running instances due at once", async (s) => {
			await s.createInstances([{ workflow: "w", id: "a", params: bytes("p") }], T0);
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(c);
			await s.releaseAllLeases(T0 + 5);
			const [again] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 5, leaseMs: LEASE_MS });
			assert.equal(again?.lease.id, "a");
		});
		withStore("releasing leases hands back only those still held: running ones due at once, pausing ones paused", async (s) => {
			await s.createInstances(
				[
					{ workflow: "w", id: "a", params: bytes("p") },
					{ workflow: "w", id: "b", params: bytes("p") },
					{ workflow: "w", id: "c", params: bytes("p") },
				],
				T0,
			);
			const claimed = await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0, leaseMs: LEASE_MS });
			const lease = (id: string) => claimed.find((c) => c.lease.id === id)?.lease as Lease;
			assert.equal(await s.pause({ workflow: "w", id: "b" }, T0 + 1, true), "ok");
			// a and b renewed, c let expire and taken by another worker: releasing c's old lease must not touch it.
			await s.renewLeases([lease("a"), lease("b")], T0 + LEASE_MS / 2, LEASE_MS);
			const [takenC] = await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0 + LEASE_MS + 1, leaseMs: LEASE_MS });
			assert.equal(takenC?.lease.id, "c");
			await s.releaseLeases([lease("a"), lease("b"), lease("c")], T0 + LEASE_MS + 2);
			assert.equal((await s.getInstance({ workflow: "w", id: "b" }))?.status, "paused");
			const again = await s.claimActivations({ slots: [{ workflow: "w", limit: 3 }], now: T0 + LEASE_MS + 2, leaseMs: LEASE_MS });
			assert.deepEqual(
				again.map((c) => c.lease.id),
				["a"],
				"a is due at once; b is paused; c is still leased to its new holder",
			);
		});
		withStore("records the code version of each instance and lists by it", async (s) => {
			await s.createInstances(
				[
					{ workflow: "w", id: "old", params: bytes("p"), version: "v1" },
					{ workflow: "w", id: "new", params: bytes("p"), version: "v2" },
					{ workflow: "w", id: "none", params: bytes("p") },
				],
				T0,
			);
			assert.equal((await s.getInstance({ workflow: "w", id: "old" }))?.version, "v1");
			assert.equal((await s.getInstance({ workflow: "w", id: "none" }))?.version, null);
			const v2 = await s.listInstances({ workflow: "w", limit: 10, version: "v2" });
			assert.deepEqual(
				v2.instances.map((i) => [i.id, i.version]),
				[["new", "v2"]],
			);
		});

		withStore("a fork is born with its journal, read by its first claim; its events are its own", async (s) => {
			const journal = [rec("attempt", "do:a#1", T0 - 5), rec("sleep", "sleep:b#1", T0 - 4)];
			await s.createInstances([{ workflow: "w", id: "fork", params: bytes("p"), journal }], T0);
			const [c] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(c);
			assert.deepEqual(
				c.journal.map((r) => [r.seq, r.at, r.kind, r.key]),
				[
					[journalSeq(0, 1), T0 - 5, "attempt", "do:a#1"],
					[journalSeq(0, 2), T0 - 4, "sleep", "sleep:b#1"],
				],
			);
			assert.deepEqual(c.events, []);
			await s.appendJournal(c.lease, under(c.lease, rec("attempt", "do:c#1")));
			assert.deepEqual(
				(await s.readJournal({ workflow: "w", id: "fork" })).map((r) => r.key),
				["do:a#1", "sleep:b#1", "do:c#1"],
			);
			assert.equal(await s.sendEvent({ workflow: "w", id: "fork" }, "go", bytes("e"), T0 + 1), "ok");
			const events = await s.readEvents({ workflow: "w", id: "fork" });
			assert.equal(events.length, 1);
			assert.ok(events[0]!.seq > 0, "event seqs stay positive: a fork's copied events have negative ones");
		});

		withStore("queueStats counts due, unclaimed instances; observe() hears commits and stale writes", async (s) => {
			if (!s.queueStats || !s.observe) return;
			const heard = { commits: 0, writes: 0, stale: 0 };
			s.observe({
				committed: (writes) => {
					heard.commits++;
					heard.writes += writes;
				},
				staleWriteRejected: () => heard.stale++,
			});
			await s.createInstances(
				[
					{ workflow: "w", id: "a", params: bytes("p") },
					{ workflow: "w", id: "b", params: bytes("p") },
				],
				T0,
			);
			await s.createInstances([{ workflow: "w", id: "later", params: bytes("p") }], T0 + 5000);
			assert.deepEqual(await s.queueStats(["w", "empty"], T0 + 1000), [
				{ workflow: "w", depth: 2, oldestDueAt: T0 },
				{ workflow: "empty", depth: 0, oldestDueAt: null },
			]);
			const [claimed] = await s.claimActivations({ slots: [{ workflow: "w", limit: 1 }], now: T0 + 1000, leaseMs: LEASE_MS });
			assert.ok(claimed);
			assert.deepEqual(await s.queueStats(["w"], T0 + 6000), [{ workflow: "w", depth: 2, oldestDueAt: T0 }], "a leased instance is not queued");
			await s.restart(claimed.lease, null, T0 + 7000);
			await assert.rejects(s.appendJournal(claimed.lease, under(claimed.lease, rec("attempt", "do:x#1"))), LeaseLostError);
			assert.equal(heard.stale, 1);
			assert.ok(heard.commits > 0 && heard.writes >= heard.commits);
		});
		withStore("a child's end is delivered to its parent in the same write; childrenOf lists the live ones", async (s) => {
			const parent = { workflow: "p", id: "parent" };
			await s.createInstances([{ ...parent, params: bytes("p") }], T0);
			await s.createInstances(
				[
					{ workflow: "c", id: "c1", params: bytes("1"), parent },
					{ workflow: "c", id: "c2", params: bytes("2"), parent },
				],
				T0,
			);
			assert.deepEqual((await s.getInstance({ workflow: "c", id: "c1" }))?.parent, parent);
			assert.equal((await s.getInstance(parent))?.parent, null);
			assert.deepEqual(
				(await s.childrenOf(parent)).map((k) => k.id),
				["c1", "c2"],
			);
			// The parent waits on its children.
			const [p] = await s.claimActivations({ slots: [{ workflow: "p", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(p);
			await s.completeActivation(p.lease, [], { kind: "suspend", wakeAt: null }, T0);
			const [c1] = await s.claimActivations({ slots: [{ workflow: "c", limit: 1 }], now: T0, leaseMs: LEASE_MS });
			assert.ok(c1);
			await s.completeActivation(c1.lease, [], { kind: "complete", output: bytes("o"), notify: { parent, type: "child-c1", payload: bytes("done") } }, T0 + 1);
			const events = await s.readEvents(parent);
			assert.deepEqual(
				events.map((e) => [e.type, Buffer.from(e.payload).toString()]),
				[["child-c1", "done"]],
			);
			assert.equal(await s.nextWakeAt(["p"]), T0 + 1, "the waiting parent is due");
			assert.equal(await s.terminate({ workflow: "c", id: "c2" }, T0 + 2, rec("finished"), { parent, type: "child-c2", payload: bytes("gone") }), "ok");
			assert.deepEqual(
				(await s.readEvents(parent)).map((e) => e.type),
				["child-c1", "child-c2"],
			);
			assert.deepEqual(await s.childrenOf(parent), [], "ended children are not listed");
		});
		withStore("deletes instances with their journals and events; purges finished ones in bounded batches", async (s) => {
			await s.createInstances(
				["a", "b", "c", "d", "e"].map((id) => ({ workflow: "w", id, params: bytes(id) })),
				T0,
			);
			const claimed = await s.claimActivations({ slots: [{ workflow: "w", limit: 5 }], now: T0, leaseMs: LEASE_MS });
			for (const c of claimed) {
				await s.appendJournal(c.lease, under(c.lease, rec("attempt", "do:x#1")));
				const end = c.lease.id === "d" ? { kind: "errored" as const, error: { name: "E", message: "m" } } : { kind: "complete" as const, output: bytes("o") };
				// a and b end early, c later; e stays waiting.
				if (c.lease.id !== "e") await s.completeActivation(c.lease, [], end, c.lease.id === "c" ? T0 + 100 : T0 + 10);
			}
			await s.sendEvent({ workflow: "w", id: "a" }, "x", bytes("e"), T0 + 1);
			assert.deepEqual(
				await s.deleteInstances([
					{ workflow: "w", id: "e" },
					{ workflow: "w", id: "nope" },
				]),
				["ok", "not_found"],
			);
			assert.equal(await s.getInstance({ workflow: "w", id: "e" }), null);
			assert.deepEqual(await s.readJournal({ workflow: "w", id: "e" }), []);
			const e = claimed.find((c) => c.lease.id === "e");
			assert.ok(e);
			await assert.rejects(s.appendJournal(e.lease, under(e.lease, rec("attempt", "do:y#1"))), LeaseLostError, "a deleted instance's activation is fenced");
			// Completed before T0 + 50: a and b; c ended later; d errored.
			assert.equal(await s.purgeInstances({ workflow: "w", statuses: ["complete"], endedBefore: T0 + 50, limit: 1 }), 1, "bounded by limit");
			assert.equal(await s.purgeInstances({ workflow: "w", statuses: ["complete"], endedBefore: T0 + 50, limit: 10 }), 1);
			assert.equal(await s.purgeInstances({ workflow: "w", statuses: ["complete"], endedBefore: T0 + 50, limit: 10 }), 0);
			const left = (await s.listInstances({ workflow: "w", limit: 10 })).instances.map((i) => i.id).sort();
			assert.deepEqual(left, ["c", "d"]);
			assert.deepEqual(await s.readEvents({ workflow: "w", id: "a" }), [], "a purged instance's events go with it");
			// A new instance may take a deleted one's id.
			assert.deepEqual(await s.createInstances([{ workflow: "w", id: "e", params: bytes("again") }], T0 + 200), [{ ok: true }]);
		});
	});
}
