// Holds the engine to Cloudflare's recorded behaviour: runs ../shared/conformance against the
// adapter in ./target.mjs, normally and in always-replay mode, and compares every scenario with
// the reference. A scenario outside `knownFailures` must match; one listed there must still fail
// (so the list only shrinks).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { knownFailures } from "./target.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const suite = resolve(root, "../shared/conformance");

function runSuite(env, only) {
	const dir = mkdtempSync(join(tmpdir(), "weft-conformance-run-"));
	const out = join(dir, "results.json");
	const args = ["--target-module", "test/conformance/target.mjs", "--out", out, ...(only ? ["--only", only.join(",")] : [])];
	return new Promise((done, fail) => {
		const child = spawn(join(suite, "run"), args, {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (d) => (output += d));
		child.stderr.on("data", (d) => (output += d));
		child.on("error", fail);
		child.on("close", () => {
			try {
				done({ results: existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : null, output });
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		});
	});
}

const readResults = (file) => JSON.parse(readFileSync(join(suite, "results", file), "utf8"));

for (const [mode, env, reference, variantOnly] of [
	["straight through", {}, "cloudflare.json", false],
	["always replay", { WEFT_ALWAYS_REPLAY: "1" }, "cloudflare.json", false],
	// Cloudflare's engine without workflows_preserve_non_retryable_error_message, and Weft with
	// preserveNonRetryableErrorMessage: false: only the scenarios whose Cloudflare results the flag
	// changes are run (the others are the default mode's, already held above).
	["without the NonRetryableError flag", { WEFT_CONFORMANCE_VARIANT: "legacy-nre" }, "cloudflare-legacy-nre.json", true],
]) {
	test(`Cloudflare conformance (${mode})`, { skip: !existsSync(suite) && `no conformance suite at ${suite}`, timeout: 120_000 }, async (t) => {
		const { compareScenario, formatRow } = await import(pathToFileURL(join(suite, "lib/compare-core.mjs")).href);
		const expected = readResults(reference);
		const names = variantOnly
			? Object.keys(expected.scenarios).filter((n) => !compareScenario(readResults("cloudflare.json").scenarios[n], expected.scenarios[n]).match)
			: Object.keys(expected.scenarios);
		assert.ok(names.length > 0, `no scenario of ${reference} to compare`);
		const { results, output } = await runSuite(env, variantOnly ? names : undefined);
		assert.ok(results, `the suite wrote no results:\n${output}`);
		const unexpected = [];
		const fixed = [];
		for (const name of names) {
			const mine = results.scenarios[name];
			const row = { name, ...compareScenario(expected.scenarios[name], mine) };
			const passed = mine?.ok === true && row.match;
			if (name in knownFailures) {
				if (passed) fixed.push(name);
				else t.diagnostic(`known failure ${name}: ${knownFailures[name]}`);
			} else if (!passed) unexpected.push(formatRow(row, { refLabel: "cloudflare", otherLabel: "weft" }));
		}
		assert.deepEqual(unexpected, [], `scenarios that do not match Cloudflare:\n${unexpected.join("\n")}`);
		assert.deepEqual(fixed, [], `these now pass: remove them from knownFailures in test/conformance/target.mjs: ${fixed.join(", ")}`);
	});
}
