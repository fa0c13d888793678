// Rates and latencies over the time the overview is open, from successive scrapes of /metrics
// (counters and histograms only mean something as differences between two scrapes). Without
// /metrics, throughput still comes from the instance counts of GET /api/workflows.
import { histogramBuckets, type ParsedMetrics, sumOf } from "./parse-prometheus.js";

export interface Scrape {
	/** Epoch seconds. */
	t: number;
	metrics: ParsedMetrics | null;
	/** Instances by status, all workflows together, from GET /api/workflows. */
	counts: Record<string, number>;
}

export interface Series {
	t: number[];
	created: (number | null)[];
	completed: (number | null)[];
	errored: (number | null)[];
	latencyMean: (number | null)[];
	latencyP95: (number | null)[];
	queueDepth: (number | null)[];
}

/** Keeps the last `limit` scrapes. */
export function appendScrape(history: Scrape[], scrape: Scrape, limit = 720): Scrape[] {
	const next = [...history, scrape];
	return next.length > limit ? next.slice(next.length - limit) : next;
}

/** One point per pair of consecutive scrapes: per-second rates, and step latency in ms. */
export function seriesOf(history: Scrape[]): Series {
	const out: Series = { t: [], created: [], completed: [], errored: [], latencyMean: [], latencyP95: [], queueDepth: [] };
	for (let i = 1; i < history.length; i++) {
		const a = history[i - 1] as Scrape;
		const b = history[i] as Scrape;
		const dt = b.t - a.t;
		if (dt <= 0) continue;
		out.t.push(b.t);
		if (a.metrics && b.metrics) {
			out.created.push(rate(a.metrics, b.metrics, "weft_instances_created_total", dt));
			out.completed.push(rate(a.metrics, b.metrics, "weft_instances_completed_total", dt));
			out.errored.push(rate(a.metrics, b.metrics, "weft_instances_errored_total", dt));
			const count = delta(a.metrics, b.metrics, "weft_step_duration_seconds_count");
			const sum = delta(a.metrics, b.metrics, "weft_step_duration_seconds_sum");
			out.latencyMean.push(count && sum !== null ? (sum / count) * 1000 : null);
			const p95 = quantile(histogramBuckets(a.metrics, "weft_step_duration_seconds"), histogramBuckets(b.metrics, "weft_step_duration_seconds"), 0.95);
			out.latencyP95.push(p95 === null ? null : p95 * 1000);
			out.queueDepth.push(sumOf(b.metrics, "weft_queue_depth"));
		} else {
			// Counts of finished instances only grow, except when one is restarted: a drop is not a negative rate.
			const finished = (s: Scrape, status: string) => s.counts[status] ?? 0;
			const total = (s: Scrape) => Object.values(s.counts).reduce((x, y) => x + y, 0);
			out.created.push(Math.max(0, total(b) - total(a)) / dt);
			out.completed.push(Math.max(0, finished(b, "complete") - finished(a, "complete")) / dt);
			out.errored.push(Math.max(0, finished(b, "errored") - finished(a, "errored")) / dt);
			out.latencyMean.push(null);
			out.latencyP95.push(null);
			out.queueDepth.push(b.counts.queued ?? 0);
		}
	}
	return out;
}

function delta(a: ParsedMetrics, b: ParsedMetrics, name: string): number | null {
	const x = sumOf(a, name);
	const y = sumOf(b, name);
	if (y === null) return null;
	// A counter that went down was reset (the server restarted): count from zero.
	return x === null || y < x ? y : y - x;
}

function rate(a: ParsedMetrics, b: ParsedMetrics, name: string, dt: number): number | null {
	const d = delta(a, b, name);
	return d === null ? null : d / dt;
}

/** The q-quantile of the observations made between two scrapes of a histogram, interpolated within its bucket. */
export function quantile(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
	const bounds = [...after.keys()].sort((x, y) => x - y);
	const counts = bounds.map((le) => Math.max(0, (after.get(le) ?? 0) - (before.get(le) ?? 0)));
	const total = counts[counts.length - 1] ?? 0;
	if (total <= 0) return null;
	const rank = q * total;
	let lower = 0;
	let below = 0;
	for (let i = 0; i < bounds.length; i++) {
		const le = bounds[i] as number;
		const c = counts[i] as number;
		if (c >= rank) {
			// In the +Inf bucket the best estimate is the largest finite bound.
			if (!Number.isFinite(le)) return lower;
			return lower + ((le - lower) * (rank - below)) / Math.max(1e-12, c - below);
		}
		lower = le;
		below = c;
	}
	return lower;
}
