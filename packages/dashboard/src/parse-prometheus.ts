// A parser for the Prometheus text exposition format (version 0.0.4), the part /metrics uses:
// `# TYPE` lines, samples with optional labels and timestamp, escaped label values, NaN/±Inf.
// Small enough to own; a malformed line is skipped rather than failing the whole scrape.

export interface MetricSample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

export interface ParsedMetrics {
	samples: MetricSample[];
	/** `# TYPE` of each metric family: counter, gauge, histogram, summary, untyped. */
	types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

export function parsePrometheus(text: string): ParsedMetrics {
	const samples: MetricSample[] = [];
	const types = new Map<string, string>();
	for (const raw of text.split("\n")) {
		const line = raw.trim();
		if (line === "") continue;
		if (line.startsWith("#")) {
			const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
			if (m) types.set(m[1] as string, m[2] as string);
			continue;
		}
		const m = SAMPLE.exec(line);
		if (!m) continue;
		const labels = m[2] ? parseLabels(m[2].slice(1, -1)) : {};
		const value = parseValue(m[3] as string);
		if (labels && value !== null) samples.push({ name: m[1] as string, labels, value });
	}
	return { samples, types };
}

function parseLabels(body: string): Record<string, string> | null {
	const labels: Record<string, string> = {};
	LABEL.lastIndex = 0;
	while (LABEL.lastIndex < body.length) {
		const at = LABEL.lastIndex;
		const m = LABEL.exec(body);
		if (!m) return body.slice(at).trim() === "" ? labels : null;
		labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
	}
	return labels;
}

function parseValue(text: string): number | null {
	if (text === "NaN") return Number.NaN;
	if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
	if (text === "-Inf") return Number.NEGATIVE_INFINITY;
	const n = Number(text);
	return Number.isNaN(n) ? null : n;
}

type LabelFilter = Record<string, string>;

const matches = (s: MetricSample, name: string, filter: LabelFilter) => s.name === name && Object.entries(filter).every(([k, v]) => s.labels[k] === v);

/** The sum of every sample of `name` whose labels include `filter`; null when there is none. */
export function sumOf(metrics: ParsedMetrics, name: string, filter: LabelFilter = {}): number | null {
	let total: number | null = null;
	for (const s of metrics.samples) if (matches(s, name, filter)) total = (total ?? 0) + s.value;
	return total;
}

/** Sums of `name` grouped by one label's value. */
export function byLabel(metrics: ParsedMetrics, name: string, label: string, filter: LabelFilter = {}): Map<string, number> {
	const out = new Map<string, number>();
	for (const s of metrics.samples) if (matches(s, name, filter)) out.set(s.labels[label] ?? "", (out.get(s.labels[label] ?? "") ?? 0) + s.value);
	return out;
}

/** The largest sample of `name` (e.g. the oldest queue age across workflows); null when none. */
export function maxOf(metrics: ParsedMetrics, name: string, filter: LabelFilter = {}): number | null {
	let max: number | null = null;
	for (const s of metrics.samples) if (matches(s, name, filter)) max = max === null ? s.value : Math.max(max, s.value);
	return max;
}

/** A histogram's cumulative buckets, summed over every label set: upper bound → count. */
export function histogramBuckets(metrics: ParsedMetrics, name: string): Map<number, number> {
	const buckets = new Map<number, number>();
	for (const s of metrics.samples) {
		if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
		const le = parseValue(s.labels.le);
		if (le !== null) buckets.set(le, (buckets.get(le) ?? 0) + s.value);
	}
	return buckets;
}
