// The seeded simulation, run in CI on the real stores: 1,000 seeds on SQLite files and 100 on a
// PostgreSQL schema (where one answers; required when WEFT_REQUIRE_POSTGRES=1). A longer run is
// one variable away: WEFT_SIM_SEEDS=100000 (and WEFT_SIM_FROM to start elsewhere). A failing seed
// is named in the failure with the faults it injected; rerun it with WEFT_SIM_FROM=<seed> WEFT_SIM_SEEDS=1.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openStore, POSTGRES_URL, probePostgres } from "@weft/store-postgres/test-database";
import { SqliteStore } from "weft";
import { simulate } from "./simulate.js";

const SEEDS = Number(process.env.WEFT_SIM_SEEDS ?? 1000);
const FROM = Number(process.env.WEFT_SIM_FROM ?? 1);
const dir = mkdtempSync(join(tmpdir(), "weft-sim-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const onSqlite = (seed: number) => () => new SqliteStore({ path: join(dir, `seed-${seed}.db`) });

describe("seeded simulation", () => {
	test(`${SEEDS} seeds on SQLite keep every guarantee`, async () => {
		let bodyRuns = 0;
		let steps = 0;
		for (let seed = FROM; seed < FROM + SEEDS; seed++) {
			const r = await simulate({ seed, openStore: onSqlite(seed) });
			assert.equal(r.committed, r.steps, `seed ${seed}: every step committed exactly once`);
			bodyRuns += r.bodyRuns;
			steps += r.steps;
			rmSync(join(dir, `seed-${seed}.db`), { force: true });
		}
		// Crashes make some bodies run again (at least once, by design); a simulation that never did would test little.
		assert.ok(bodyRuns > steps, `the faults made ${bodyRuns - steps} bodies run again`);
	});

	test("a seed reproduces: the same faults, the same outcome", async () => {
		const first = await simulate({ seed: 4242, openStore: onSqlite(-1) });
		rmSync(join(dir, "seed--1.db"), { force: true });
		const second = await simulate({ seed: 4242, openStore: onSqlite(-1) });
		assert.deepEqual(second, first);
	});

	test("100 seeds on PostgreSQL keep every guarantee", async (t) => {
		const unreachable = await probePostgres();
		if (unreachable) {
			if (process.env.WEFT_REQUIRE_POSTGRES === "1") assert.fail(`PostgreSQL at ${POSTGRES_URL} is required: ${unreachable}`);
			t.skip(`no PostgreSQL at ${POSTGRES_URL}: ${unreachable}`);
			return;
		}
		const store = await openStore({ clock: "caller" }, true);
		const schema = store.schema;
		await store.close();
		for (let seed = FROM; seed < FROM + Math.min(SEEDS, 100); seed++) {
			// Shared by workers, as `weft worker`s share a database: a restarted engine does not release the
			// leases of the live ones (they expire by themselves), as it does on an embedded SQLite file.
			const r = await simulate({ seed, workflow: `sim${seed}`, openStore: () => openStore({ clock: "caller", schema, sharedByWorkers: true }, true) });
			assert.equal(r.committed, r.steps);
		}
		await (await openStore({ clock: "caller", schema })).close();
	});
});
