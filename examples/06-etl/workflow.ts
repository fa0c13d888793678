// Extract, transform, load: a CSV of every US postal code (GeoNames, via the vega-datasets
// package) goes into a SQLite warehouse in batches, `parallel` batches at a time. Each batch is
// two named steps, `transform batch N` and `load batch N`, so the timeline shows where every batch
// is, and a crash only re-runs the batches whose load the journal had not recorded yet; the
// warehouse's ledger (see warehouse.ts) makes such a re-run write nothing.
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { type LoadResult, loadBatch, warehouseTotals } from "./warehouse.js";
import { isReject, type Reject, transformLine, ZIP_HEADER, type ZipRow } from "./zip-rows.js";

export interface EtlParams {
	/** The CSV to load (default: vega-datasets' zipcodes.csv). */
	source?: string;
	/** The warehouse SQLite file (default: the WAREHOUSE_DB var). */
	warehouse?: string;
	/** Data lines per batch (default 2,000; a batch's rows must fit in one 1 MiB step result). */
	batchSize?: number;
	/** Batches transformed and loaded at once (default 4). */
	parallel?: number;
}

export interface EtlEnv {
	WAREHOUSE_DB?: string;
	/**
	 * Holds each load step open this long after its commit, a window in which to kill the process
	 * at the worst moment (a demo's or a test's setting: it belongs to the process, not the run).
	 */
	PAUSE_AFTER_LOAD_MS?: number;
}

export interface Batch {
	batch: number;
	/** First and last 1-based line numbers of the source file in this batch. */
	from: number;
	to: number;
}

export interface Plan {
	source: string;
	size: number;
	mtimeMs: number;
	dataLines: number;
	batches: Batch[];
}

export interface EtlOutput {
	source: string;
	warehouse: string;
	batches: number;
	loaded: number;
	rejected: number;
	/** Loads that found their batch already committed: each is a crash the ledger made harmless. */
	alreadyLoaded: number;
	/** The first rejected lines, with their reasons (all of them are in the warehouse's `rejects` table). */
	rejects: Reject[];
}

/** vega-datasets' copy of the GeoNames US postal codes (42,049 rows, 2 MB). */
export function defaultSource(): string {
	return fileURLToPath(new URL("../data/zipcodes.csv", import.meta.resolve("vega-datasets")));
}

const MAX_BATCH = 5000;
const SHOWN_REJECTS = 20;

function readSource(path: string): string {
	try {
		return readFileSync(path, "utf8");
	} catch (e) {
		throw new NonRetryableError(`cannot read the source file ${path}: ${(e as Error).message}`);
	}
}

export class EtlWorkflow extends WorkflowEntrypoint<EtlEnv, EtlParams | undefined> {
	async run(event: Readonly<WorkflowEvent<EtlParams | undefined>>, step: WorkflowStep): Promise<EtlOutput> {
		const params = event.payload ?? {};
		const source = resolve(params.source ?? defaultSource());
		const warehouse = params.warehouse ?? this.env.WAREHOUSE_DB;
		if (!warehouse) throw new NonRetryableError("no warehouse: pass params.warehouse or set the WAREHOUSE_DB var (weft.config.ts `vars`)");
		const batchSize = params.batchSize ?? 2000;
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
			throw new NonRetryableError(`batchSize must be an integer from 1 to ${MAX_BATCH}, not ${batchSize}`);
		const parallel = Math.max(1, Math.floor(params.parallel ?? 4));

		// The plan holds line ranges, not data: each transform reads its own lines, so no journal
		// entry carries the whole file, and a replay after a crash reads a few bytes here.
		const plan = await step.do("extract", async (): Promise<Plan> => {
			const lines = readSource(source).split(/\r?\n/);
			const header = lines[0]?.trim() ?? "";
			if (header !== ZIP_HEADER.join(","))
				throw new NonRetryableError(`${source} is not the postal-codes CSV: its header is "${header.slice(0, 100)}", expected "${ZIP_HEADER.join(",")}"`);
			while (lines.length > 1 && lines.at(-1)?.trim() === "") lines.pop();
			const batches: Batch[] = [];
			for (let from = 2; from <= lines.length; from += batchSize)
				batches.push({ batch: batches.length + 1, from, to: Math.min(from + batchSize - 1, lines.length) });
			const { size, mtimeMs } = statSync(source);
			return { source, size, mtimeMs, dataLines: lines.length - 1, batches };
		});

		const transform = (b: Batch) =>
			step.do(`transform batch ${b.batch}`, async () => {
				const stat = statSync(source, { throwIfNoEntry: false });
				if (!stat || stat.size !== plan.size || stat.mtimeMs !== plan.mtimeMs)
					throw new NonRetryableError(`${source} changed or disappeared since it was extracted; start a new run to load the new file`);
				const lines = readSource(source).split(/\r?\n/);
				const rows: ZipRow[] = [];
				const rejects: Reject[] = [];
				for (let n = b.from; n <= b.to; n++) {
					const raw = lines[n - 1] ?? "";
					if (raw.trim() === "") continue;
					const r = transformLine(raw, n);
					if (isReject(r)) rejects.push(r);
					else rows.push(r);
				}
				return { rows, rejects };
			});

		const load = (b: Batch, t: { rows: ZipRow[]; rejects: Reject[] }) =>
			step.do(`load batch ${b.batch}`, async (): Promise<LoadResult & { firstRejects: Reject[] }> => {
				const result = loadBatch(warehouse, event.instanceId, b.batch, t.rows, t.rejects);
				const pause = this.env.PAUSE_AFTER_LOAD_MS;
				if (pause) await new Promise((r) => setTimeout(r, pause));
				return { ...result, firstRejects: t.rejects.slice(0, SHOWN_REJECTS) };
			});

		// Fan-out over `parallel` lanes; each takes the next batch when it is done with one.
		const results: (LoadResult & { firstRejects: Reject[] })[] = [];
		let next = 0;
		await Promise.all(
			Array.from({ length: Math.min(parallel, plan.batches.length) }, async () => {
				for (let b = plan.batches[next++]; b; b = plan.batches[next++]) results.push(await load(b, await transform(b)));
			}),
		);

		// Fan-in: the totals come from the warehouse itself, so they show what really landed.
		return step.do("report", async (): Promise<EtlOutput> => {
			const totals = warehouseTotals(warehouse, event.instanceId);
			results.sort((a, b) => a.batch - b.batch);
			return {
				source,
				warehouse,
				batches: totals.batches,
				loaded: totals.rows,
				rejected: totals.rejects,
				alreadyLoaded: results.filter((r) => r.alreadyLoaded).length,
				rejects: results.flatMap((r) => r.firstRejects).slice(0, SHOWN_REJECTS),
			};
		});
	}
}

export const etlWorkflows = { ETL: { name: "etl", class: EtlWorkflow } };
