// The ETL example end to end, in a real process: SIGKILLed in the middle of its loads and run
// again, it finishes with every good row loaded exactly once and the malformed lines reported.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createEngine } from "weft";
import { itemsOf } from "../shared/report.js";
import { withTempEngine } from "../shared/temp-engine.js";
import { warehouseTotals } from "./warehouse.js";
import { defaultSource, type EtlOutput, etlWorkflows } from "./workflow.js";

const RUN_ETL = fileURLToPath(new URL("./run-etl.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "weft-etl-"));
const children = new Set<ChildProcess>();
after(() => {
	for (const c of children) c.kill("SIGKILL");
	rmSync(dir, { recursive: true, force: true });
});

/** Four damaged lines, each wrong in its own way, put in the middle of the real file. */
const BAD_LINES = ["1234,40.1,-70.2,Nowhere,MA,Essex", "99998,north,-70.0,Somewhere,MA,Essex", '"99997,40.0,-70.0,Open quote,MA,Essex', "99996,40.0,-70.0"];

function runEtl(args: string[]) {
	const child = spawn(process.execPath, [RUN_ETL, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
	children.add(child);
	let out = "";
	child.stdout?.on("data", (d) => (out += d));
	child.stderr?.on("data", (d) => (out += d));
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
		child.on("close", (code, signal) => {
			children.delete(child);
			resolve({ code, signal, out });
		}),
	);
	return { child, exited };
}

/** Batches the warehouse's ledger holds so far (0 before the first load creates it). */
function ledgerCount(path: string): number {
	try {
		const db = new Database(path, { readonly: true, fileMustExist: true });
		try {
			return (db.prepare("SELECT count(*) AS n FROM loaded_batches").get() as { n: number }).n;
		} finally {
			db.close();
		}
	} catch {
		return 0;
	}
}

test("killed with SIGKILL mid-load and started again, the ETL loads every good row exactly once and reports the bad lines", async () => {
	const lines = readFileSync(defaultSource(), "utf8").trimEnd().split("\n");
	const goodRows = lines.length - 1;
	lines.splice(5001, 0, ...BAD_LINES);
	const source = join(dir, "zipcodes-damaged.csv");
	writeFileSync(source, `${lines.join("\n")}\n`);
	const warehouse = join(dir, "warehouse.db");
	const args = ["--source", source, "--warehouse", warehouse, "--database", join(dir, "weft.db"), "--id", "crash-run", "--batch-size", "2000"];
	const batches = Math.ceil((goodRows + BAD_LINES.length) / 2000);

	// Each load holds on for 1 s after its commit, so the kill lands after a batch is in the
	// warehouse but before the engine recorded its step: the worst moment for exactly-once.
	const first = runEtl([...args, "--parallel", "2", "--pause-after-load-ms", "1000"]);
	while (ledgerCount(warehouse) === 0) {
		const early = await Promise.race([first.exited, new Promise((r) => setTimeout(r, 20, null))]);
		if (early) assert.fail(`run-etl ended before it was killed: ${JSON.stringify(early)}`);
	}
	first.child.kill("SIGKILL");
	const killed = await first.exited;
	assert.equal(killed.signal, "SIGKILL");
	const atKill = ledgerCount(warehouse);
	assert.ok(atKill >= 1 && atKill < batches, `killed in the middle: ${atKill} of ${batches} batches loaded`);

	const second = await runEtl(args).exited;
	assert.equal(second.code, 0, second.out);
	assert.match(second.out, /picking up instance crash-run/);

	const totals = warehouseTotals(warehouse, "crash-run");
	assert.deepEqual(totals, { rows: goodRows, distinctZips: goodRows, rejects: BAD_LINES.length, batches });

	const engine = await createEngine({ database: join(dir, "weft.db"), workflows: etlWorkflows });
	try {
		const instance = await engine.bindings.ETL.get("crash-run");
		const status = await instance.status();
		const out = status.output as EtlOutput;
		assert.equal(status.status, "complete");
		assert.equal(out.loaded, goodRows);
		assert.ok(out.alreadyLoaded >= 1, "at least one load ran again after the kill and the ledger skipped it");
		assert.deepEqual(
			out.rejects.map((r) => [r.line, r.reason]),
			[
				[5002, 'zip_code "1234" is not five digits'],
				[5003, 'latitude "north" is not a number between -90 and 90'],
				[5004, "unterminated quoted field"],
				[5005, "expected 6 fields, found 3"],
			],
		);
		const names = itemsOf(await instance.details(), "step").map((s) => s.name);
		for (let b = 1; b <= batches; b++) {
			assert.ok(names.includes(`transform batch ${b}`), `transform batch ${b} in the timeline`);
			assert.ok(names.includes(`load batch ${b}`), `load batch ${b} in the timeline`);
		}
		assert.deepEqual([names[0], names.at(-1)], ["extract", "report"]);
	} finally {
		await engine.close();
	}
});

test("bad input to run-etl gets one clear line: an unreadable source, an unknown option, a file that is not the dataset", async () => {
	const missing = await runEtl(["--source", join(dir, "nope.csv")]).exited;
	assert.equal(missing.code, 2);
	assert.match(missing.out, /cannot read the source file .*nope\.csv: ENOENT/);

	const unknown = await runEtl(["--sauce", "x"]).exited;
	assert.equal(unknown.code, 2);
	assert.match(unknown.out, /Unknown option '--sauce'/);

	const notNumber = await runEtl(["--batch-size", "lots"]).exited;
	assert.equal(notNumber.code, 2);
	assert.match(notNumber.out, /--batch-size must be a whole number ≥ 1, not "lots"/);

	const other = join(dir, "other.csv");
	writeFileSync(other, "name,score\nada,3\n");
	const wrong = await runEtl(["--source", other, "--database", join(dir, "wrong.db"), "--warehouse", join(dir, "wrong-w.db"), "--id", "wrong"]).exited;
	assert.equal(wrong.code, 1);
	assert.match(wrong.out, /errored: NonRetryableError: .*other\.csv is not the postal-codes CSV: its header is "name,score"/);
});

test("without a warehouse setting the instance errors at once with what to set", async () => {
	await withTempEngine(etlWorkflows, async (engine) => {
		const instance = await engine.workflow("etl").create({ params: { batchSize: 10 } });
		const { waitForFinish } = await import("../shared/poll.js");
		const status = await waitForFinish(instance);
		assert.equal(status.status, "errored");
		assert.equal(status.error?.message, "no warehouse: pass params.warehouse or set the WAREHOUSE_DB var (weft.config.ts `vars`)");
	});
});
