// The instances this process saw finish, by second and workflow, kept as long as the longest
// errorRate window: what error-rate rules count. Per-second buckets keep memory bounded by the
// window, not by the throughput.
import type { ActivationEnd, ActivationInfo, EngineObserver } from "@weft/core";

interface Bucket {
	second: number;
	byWorkflow: Map<string, { complete: number; errored: number }>;
}

export class FinishWindow {
	readonly #keepMs: number;
	readonly #buckets: Bucket[] = [];
	/** When counting began: a window reaching further back covers only this process's lifetime. */
	readonly since = Date.now();

	constructor(keepMs: number) {
		this.#keepMs = keepMs;
	}

	record(workflow: string, errored: boolean, at = Date.now()): void {
		const second = Math.floor(at / 1000);
		let bucket = this.#buckets.at(-1);
		if (bucket?.second !== second) {
			bucket = { second, byWorkflow: new Map() };
			this.#buckets.push(bucket);
			const oldest = Math.floor((at - this.#keepMs) / 1000);
			while ((this.#buckets[0]?.second ?? second) < oldest) this.#buckets.shift();
		}
		const counts = bucket.byWorkflow.get(workflow) ?? { complete: 0, errored: 0 };
		if (errored) counts.errored++;
		else counts.complete++;
		bucket.byWorkflow.set(workflow, counts);
	}

	/** Instances of these workflows that finished at or after `from` (ms), and how many errored. */
	count(workflows: ReadonlySet<string>, from: number): { finished: number; errored: number } {
		const first = Math.floor(from / 1000);
		let finished = 0;
		let errored = 0;
		for (const b of this.#buckets) {
			if (b.second < first) continue;
			for (const [workflow, c] of b.byWorkflow) {
				if (!workflows.has(workflow)) continue;
				finished += c.complete + c.errored;
				errored += c.errored;
			}
		}
		return { finished, errored };
	}

	readonly observer: EngineObserver = {
		activationEnded: (a: ActivationInfo, end: ActivationEnd) => {
			if (end === "complete" || end === "errored") this.record(a.workflow, end === "errored");
		},
	};
}
