// docs/testing.md promises that @weft/testing works under vitest as well as node:test. This runs
// the vitest spec beside it (with-vitest.spec.ts, from TypeScript source, in a child process, as
// a user's `npx vitest run` would) and checks that every one of its tests ran and passed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

// This file runs from examples/dist/03-wait-for-event/.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const SPEC = "examples/03-wait-for-event/with-vitest.spec.ts";
const EXPECTED_TESTS = 3;

interface VitestJsonReport {
	success: boolean;
	numTotalTests: number;
	numPassedTests: number;
	testResults: { name: string; status: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

test("the test kit's vitest spec runs under vitest and passes", async () => {
	const dir = await mkdtemp(join(tmpdir(), "weft-vitest-"));
	try {
		const outputFile = join(dir, "report.json");
		const vitest = join(root, "node_modules/vitest/vitest.mjs");
		const args = [vitest, "run", SPEC, "--config", join(root, "vitest.config.ts"), "--reporter=json", `--outputFile=${outputFile}`];
		const run = await promisify(execFile)(process.execPath, args, { cwd: root, env: { ...process.env, CI: "true" } }).catch(
			(error: Error & { stdout?: string; stderr?: string }) => error,
		);
		const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
		const report = JSON.parse(await readFile(outputFile, "utf8").catch(() => "null")) as VitestJsonReport | null;
		assert.ok(report, `vitest wrote no report:\n${output}`);
		const failures = report.testResults.flatMap((file) => file.assertionResults.filter((t) => t.status !== "passed"));
		assert.deepEqual(failures, [], `vitest reported failures:\n${output}`);
		assert.equal(report.testResults.length, 1, "exactly one spec file ran");
		assert.equal(report.testResults[0]?.name, join(root, SPEC));
		assert.equal(report.numTotalTests, EXPECTED_TESTS, "every test of the spec ran");
		assert.equal(report.numPassedTests, EXPECTED_TESTS);
		assert.ok(report.success && !(run instanceof Error), `vitest failed:\n${output}`);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});
