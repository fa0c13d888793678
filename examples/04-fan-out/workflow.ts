// Fan-out / fan-in: one step per supplier, run at the same time with Promise.all, then one step
// that combines their results. Each step has its own name, so each is journaled on its own: if
// the process stops half-way, only the quotes not yet recorded are asked for again.
import { setTimeout as delay } from "node:timers/promises";
import type { Engine, WorkflowBinding, WorkflowEvent, WorkflowStep } from "weft";
import { WorkflowEntrypoint } from "weft";
import { finish, type InstanceRun } from "../shared/report.js";

export interface QuoteParams {
	sku: string;
	suppliers: string[];
}

export interface Quote {
	supplier: string;
	price: number;
}

export interface QuoteResult {
	sku: string;
	quotes: Quote[];
	cheapest: Quote;
}

/** Stands in for the suppliers' price APIs. */
const PRICES: Record<string, number> = { acme: 12.5, globex: 11.9, initech: 13.2, umbrella: 12.1 };

export class QuoteWorkflow extends WorkflowEntrypoint<unknown, QuoteParams> {
	async run(event: Readonly<WorkflowEvent<QuoteParams>>, step: WorkflowStep): Promise<QuoteResult> {
		const { sku, suppliers } = event.payload;

		// Each parallel step keeps its own retry policy and attempt count; the short delay keeps
		// a flaky supplier from holding up the example.
		const quotes = await Promise.all(
			suppliers.map((supplier) =>
				step.do(`quote from ${supplier}`, { retries: { limit: 2, delay: 50, backoff: "constant" } }, async (): Promise<Quote> => {
					await delay(100); // network latency; the calls overlap, so all of them take about this long
					const price = PRICES[supplier];
					if (price === undefined) throw new Error(`unknown supplier ${supplier}`);
					return { supplier, price };
				}),
			),
		);

		const cheapest = await step.do("choose cheapest", async () => quotes.reduce((best, q) => (q.price < best.price ? q : best)));
		return { sku, quotes, cheapest };
	}
}

export const fanOutWorkflows = { QUOTE: { name: "price-quote", class: QuoteWorkflow } };

export const SUPPLIERS = ["acme", "globex", "initech", "umbrella"];

/** Asks four suppliers for a quote in parallel and returns the run. */
export async function runFanOutExample(engine: Engine): Promise<InstanceRun[]> {
	const quotes = engine.workflow("price-quote") as WorkflowBinding<QuoteParams>;
	const instance = await quotes.create({ params: { sku: "WIDGET-42", suppliers: SUPPLIERS } });
	return [await finish("four suppliers", instance)];
}
