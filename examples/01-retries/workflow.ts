// Retries: a step that fails twice and then succeeds, a step whose failure the workflow catches
// and survives, and a NonRetryableError that stops retries at once and fails the instance.
import { type Engine, NonRetryableError, type WorkflowBinding, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { finish, type InstanceRun } from "../shared/report.js";

export interface ImportParams {
	batch: string;
	/** Makes the fetched rows invalid, so validation throws a NonRetryableError. */
	corrupt?: boolean;
}

export interface ImportResult {
	batch: string;
	rows: number;
	fetchAttempts: number;
	enrichment: string;
}

interface Row {
	id: number | null;
	amount: number;
}

export class ImportWorkflow extends WorkflowEntrypoint<unknown, ImportParams> {
	async run(event: Readonly<WorkflowEvent<ImportParams>>, step: WorkflowStep): Promise<ImportResult> {
		const { batch, corrupt = false } = event.payload;

		// Stands in for an upstream API that answers 503 twice before it recovers. Short delays
		// keep the example quick: the retries wait 50 ms, then 100 ms (exponential backoff).
		const fetched = await step.do("fetch rows", { retries: { limit: 3, delay: 50, backoff: "exponential" } }, async (ctx) => {
			if (ctx.attempt < 3) throw new Error(`upstream answered 503 on attempt ${ctx.attempt}`);
			const rows: Row[] = [
				{ id: 1, amount: 120 },
				{ id: corrupt ? null : 2, amount: 80 },
				{ id: 3, amount: 45 },
			];
			return { rows, attempt: ctx.attempt };
		});

		// Bad data will not get better by trying again, so the step says so: a NonRetryableError
		// ends it after one attempt even though the config allows five retries.
		await step.do("validate rows", { retries: { limit: 5, delay: 50, backoff: "constant" } }, async () => {
			const missing = fetched.rows.filter((r) => r.id === null).length;
			if (missing > 0) throw new NonRetryableError(`batch ${batch} has ${missing} row(s) without an id`);
		});

		// Enrichment is optional. Its step still gets its retry, and only when that is spent does
		// the error reach run(), where catching it lets the import go on without enrichment.
		let enrichment: string;
		try {
			enrichment = await step.do("enrich rows", { retries: { limit: 1, delay: 50, backoff: "constant" } }, async () => {
				throw new Error("geo service unavailable");
			});
		} catch (error) {
			enrichment = `skipped: ${(error as Error).message}`;
		}

		return { batch, rows: fetched.rows.length, fetchAttempts: fetched.attempt, enrichment };
	}
}

export const retriesWorkflows = { IMPORT: { name: "import-rows", class: ImportWorkflow } };

/** Runs a clean batch (completes after retries) and a corrupt one (errors with NonRetryableError). */
export async function runRetriesExample(engine: Engine): Promise<InstanceRun[]> {
	const imports = engine.workflow("import-rows") as WorkflowBinding<ImportParams>;
	const clean = await imports.create({ params: { batch: "2024-06-01" } });
	const corrupt = await imports.create({ params: { batch: "2024-06-02", corrupt: true } });
	return Promise.all([finish("clean batch", clean), finish("corrupt batch", corrupt)]);
}
