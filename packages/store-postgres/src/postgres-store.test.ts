import assert from "node:assert/strict";
import { test } from "node:test";
import { storeConformance } from "@weft/core/store-conformance";
import { engineOnPostgresSuite } from "./engine-on-postgres-suite.js";
import { groupCommitSuite } from "./group-commit-suite.js";
import { postgresStoreSuite } from "./postgres-store-suite.js";
import { sharedTelemetrySuite } from "./shared-telemetry-suite.js";
import { openStore, POSTGRES_URL, probePostgres } from "./test-database.js";

const absent = await probePostgres();

if (absent === null) {
	// The suite asserts exact times, so it runs on the caller's clock; the database clock has tests of its own.
	storeConformance("PostgreSQL", () => openStore({ clock: "caller" }));
	postgresStoreSuite();
	groupCommitSuite();
	engineOnPostgresSuite();
	sharedTelemetrySuite();
} else if (process.env.WEFT_REQUIRE_POSTGRES === "1") {
	test("PostgreSQL store", () => assert.fail(`WEFT_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${POSTGRES_URL}: ${absent}`));
} else {
	test("PostgreSQL store", (t) =>
		t.skip(
			`SKIPPED ALL POSTGRESQL TESTS: no PostgreSQL at ${POSTGRES_URL} (${absent}); run scripts/start-postgres.sh, or set WEFT_REQUIRE_POSTGRES=1 to fail instead`,
		));
}
