// The ETL example's entry point: `node examples/dist/06-etl/run-etl.js [options]` runs the engine
// in this process, starts (or picks up) the `etl` instance and prints its result. Kill it at any
// moment and run the same command again: the instance carries on from its last recorded step.
import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createEngine, type WorkflowInstance } from "weft";
import { waitForFinish } from "../shared/poll.js";
import { defaultSource, type EtlOutput, type EtlParams, etlWorkflows } from "./workflow.js";

const USAGE = `usage: node examples/dist/06-etl/run-etl.js [--source FILE.csv] [--warehouse FILE.db] [--database FILE.db] [--id ID] [--batch-size N] [--parallel N]
  --source       the postal-codes CSV (default: vega-datasets' zipcodes.csv)
  --warehouse    where the rows go (default: ./etl-warehouse.db)
  --database     Weft's own SQLite file (default: ./weft-etl.db)
  --id           the instance id; the same id picks up an interrupted run (default: zipcodes)`;

class UsageError extends Error {}

function options() {
	let parsed: ReturnType<typeof parse>;
	try {
		parsed = parse();
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
	const v = parsed.values;
	const int = (name: string, text: string | undefined) => {
		if (text === undefined) return undefined;
		const n = Number(text);
		if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not "${text}"`);
		return n;
	};
	const source = resolve(v.source ?? defaultSource());
	try {
		accessSync(source, constants.R_OK);
	} catch (e) {
		throw new UsageError(`cannot read the source file ${source}: ${(e as Error).message}`);
	}
	const params: EtlParams = { source, warehouse: resolve(v.warehouse ?? "etl-warehouse.db") };
	const batchSize = int("batch-size", v["batch-size"]);
	const parallel = int("parallel", v.parallel);
	const pause = v["pause-after-load-ms"] === undefined ? undefined : int("pause-after-load-ms", v["pause-after-load-ms"]);
	if (batchSize !== undefined) params.batchSize = batchSize;
	if (parallel !== undefined) params.parallel = parallel;
	return { params, database: resolve(v.database ?? "weft-etl.db"), id: v.id ?? "zipcodes", pause };
}

function parse() {
	return parseArgs({
		options: {
			source: { type: "string" },
			warehouse: { type: "string" },
			database: { type: "string" },
			id: { type: "string" },
			"batch-size": { type: "string" },
			parallel: { type: "string" },
			// For the test and for demos: keeps each load open after its commit, a window to kill in.
			"pause-after-load-ms": { type: "string" },
			help: { type: "boolean" },
		},
	});
}

async function main(): Promise<number> {
	if (process.argv.includes("--help")) {
		console.log(USAGE);
		return 0;
	}
	const { params, database, id, pause } = options();
	const engine = await createEngine({ database, workflows: etlWorkflows, env: pause ? { PAUSE_AFTER_LOAD_MS: pause } : {} });
	try {
		const etl = engine.bindings.ETL;
		let instance: WorkflowInstance;
		try {
			instance = await etl.get(id);
			console.log(`picking up instance ${id} (${(await instance.status()).status}) from ${database}`);
		} catch {
			instance = await etl.create({ id, params });
			console.log(`started instance ${id}: ${params.source} → ${params.warehouse}`);
		}
		const status = await waitForFinish(instance, 10 * 60_000);
		if (status.status !== "complete") {
			console.error(`instance ${id} ${status.status}: ${status.error?.name}: ${status.error?.message}`);
			return 1;
		}
		const out = status.output as EtlOutput;
		console.log(`loaded ${out.loaded} rows in ${out.batches} batches into ${out.warehouse}; ${out.rejected} lines rejected`);
		if (out.alreadyLoaded) console.log(`${out.alreadyLoaded} batch load(s) ran again after an interruption and were skipped by the ledger`);
		for (const r of out.rejects) console.log(`  line ${r.line}: ${r.reason}`);
		return 0;
	} finally {
		await engine.close();
	}
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(e: unknown) => {
		if (e instanceof UsageError) {
			console.error(`run-etl: ${e.message}\n${USAGE}`);
			process.exitCode = 2;
		} else {
			console.error(e);
			process.exitCode = 1;
		}
	},
);
