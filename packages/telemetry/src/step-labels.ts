// Step names become a label of the step metrics, and a workflow that builds names from data
// ("fetch page 1", "fetch page 2", …) would create a series per name. Each workflow keeps the
// first `limit` distinct names it reports; every later one is counted as "other".

export const OTHER_STEP = "other";
export const DEFAULT_STEP_LABEL_LIMIT = 50;

export class StepLabels {
	readonly #limit: number;
	readonly #seen = new Map<string, Set<string>>();

	constructor(limit = DEFAULT_STEP_LABEL_LIMIT) {
		this.#limit = limit;
	}

	label(workflow: string, step: string): string {
		let names = this.#seen.get(workflow);
		if (!names) {
			names = new Set();
			this.#seen.set(workflow, names);
		}
		if (names.has(step)) return step;
		if (names.size >= this.#limit) return OTHER_STEP;
		names.add(step);
		return step;
	}
}
