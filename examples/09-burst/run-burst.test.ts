// The burst at 10,000: the real `weft start` and `weft workflows trigger --batch` (run-burst
// spawns both), every task completes, and the concurrency limit held the whole way.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runBurst } from "./run-burst.js";

const dir = mkdtempSync(join(tmpdir(), "weft-burst-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("10,000 tasks from a params file are created in one go and drained, never more than 50 at once", async () => {
	const lines: string[] = [];
	const summary = await runBurst({ count: 10_000, dir, log: (line) => lines.push(line) });
	assert.equal(summary.created, 10_000, lines.join("\n"));
	assert.deepEqual([summary.complete, summary.errored], [10_000, 0]);
	assert.equal(summary.peak.bodies, 10_000, "each task's body ran once");
	assert.ok(summary.peak.max >= 1 && summary.peak.max <= summary.limit, `at most ${summary.limit} bodies at once, saw ${summary.peak.max}`);
	assert.ok(summary.maxRunningSeen <= summary.limit, `the API never showed more than ${summary.limit} running, saw ${summary.maxRunningSeen}`);
	assert.match(lines.join("\n"), /queued [\d,]+ · running \d+ · finished 10,000/);
});

test("run-burst refuses a count it cannot use", async () => {
	const { execFile } = await import("node:child_process");
	const { fileURLToPath } = await import("node:url");
	const script = fileURLToPath(new URL("./run-burst.js", import.meta.url));
	const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
		const child = execFile(process.execPath, [script, "--count", "many"], (error, _stdout, stderr) =>
			resolve({ code: error ? (child.exitCode ?? 1) : 0, stderr }),
		);
	});
	assert.equal(result.code, 1);
	assert.match(result.stderr, /run-burst: --count must be a whole number from 1 to 10,000,000, not "many"/);
});
