// The instances this process saw finish, by second and workflow, kept as long as the longest
// errorRate window: what error-rate rules count on a store of one process. Per-second buckets
// keep memory bounded by the window, not by the throughput. With `tally`, it also keeps the
// counts not yet added to a shared store's tally (drain()), so a periodic flush costs nothing on
// the hot path.
import type { ActivationEnd, ActivationInfo, EngineObserver, FinishCount } from "@weft/core";

interface Bucket {
	second: number;
	byWorkflow: Map<string, { complete: number; errored: number }>;
}

export class FinishWindow {
	readonly #keepMs: number;
	readonly #buckets: Bucket[] = [];
	/** Counts since the last drain(), by workflow and second; kept only while `tally` is on. */
	readonly #unflushed = new Map<string, FinishCount>();
	/** Whether finishes are also kept for drain(): off unless something drains them, or they would pile up. */
	tally: boolean;
	/** When counting began: a window reaching further back covers only this process's lifetime. */
	readonly since = Date.now();

	constructor(keepMs: number, options: { tally?: boolean } = {}) {
		this.#keepMs = keepMs;
		this.tally = options.tally ?? false;
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
		if (this.tally) this.#add({ workflow, second, complete: errored ? 0 : 1, errored: errored ? 1 : 0 });
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

	/** The counts recorded since the last drain (one per workflow and second), forgotten here. */
	drain(): FinishCount[] {
		const counts = [...this.#unflushed.values()];
		this.#unflushed.clear();
		return counts;
	}

	/** Puts drained counts back (their flush failed), to go with the next one. */
	restore(counts: FinishCount[]): void {
		for (const c of counts) this.#add(c);
	}

	#add(c: FinishCount): void {
		const key = `${c.workflow}\u0000${c.second}`;
		const kept = this.#unflushed.get(key);
		if (kept) {
			kept.complete += c.complete;
			kept.errored += c.errored;
		} else this.#unflushed.set(key, { ...c });
	}

	readonly observer: EngineObserver = {
		activationEnded: (a: ActivationInfo, end: ActivationEnd) => {
			if (end === "complete" || end === "errored") this.record(a.workflow, end === "errored");
		},
	};
}
