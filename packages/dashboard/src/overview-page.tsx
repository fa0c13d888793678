// The overview: instances by status per workflow, throughput and step latency over the time the
// page is open, queue depth and age, running against each concurrency limit, recent failures and
// alerts. Sections whose endpoint the server does not have (404) say so instead of failing.
import type { InstanceSummary, WorkflowDescription } from "@weft/client";
import { useEffect, useState } from "preact/hooks";
import { formatDuration, formatNumber, formatTime } from "./format.js";
import { instanceHref, instancesHref } from "./hash-route.js";
import { appendScrape, type Scrape, seriesOf } from "./metric-history.js";
import { byLabel, type ParsedMetrics, parsePrometheus, sumOf } from "./parse-prometheus.js";
import { errorText, optionalJson, optionalText, useSession } from "./session.js";
import { STATUSES, StatusBadge } from "./status-badge.js";
import { TimeChart } from "./time-chart.js";
import { useAsync } from "./use-async.js";

const POLL_MS = 3000;

export interface Alert {
	name: string;
	kind: string;
	state: "ok" | "firing";
	since: string | null;
	lastFiredAt: string | null;
	detail: string;
}

interface OverviewData {
	workflows: WorkflowDescription[];
	metrics: ParsedMetrics | null;
	alerts: Alert[] | null;
	failures: InstanceSummary[];
}

// Kept across visits to the overview, so the charts do not start again from nothing.
let history: Scrape[] = [];

export function OverviewPage() {
	const { client } = useSession();
	const [series, setSeries] = useState(() => seriesOf(history));
	const data = useAsync<OverviewData>(
		async () => {
			const summaries = await client.workflows();
			const [workflows, metricsText, alerts, failurePages] = await Promise.all([
				Promise.all(summaries.map((w) => client.workflow(w.name).describe())),
				optionalText(client, "/metrics"),
				optionalJson<{ alerts: Alert[] }>(client, "/api/alerts"),
				Promise.all(summaries.filter((w) => (w.instances.errored ?? 0) > 0).map((w) => client.workflow(w.name).list({ status: "errored", limit: 5 }))),
			]);
			// A server without telemetry answers /metrics with no samples: the same as not having it.
			const parsed = metricsText === null ? null : parsePrometheus(metricsText);
			const metrics = parsed && parsed.samples.length > 0 ? parsed : null;
			const failures = failurePages
				.flatMap((p) => p.instances)
				.sort((a, b) => (b.endedOn ?? b.modifiedOn).localeCompare(a.endedOn ?? a.modifiedOn))
				.slice(0, 10);
			return { workflows, metrics, alerts: alerts?.alerts ?? null, failures };
		},
		[],
		POLL_MS,
	);

	const value = data.value;
	useEffect(() => {
		if (!value) return;
		const counts: Record<string, number> = {};
		for (const w of value.workflows) for (const [s, n] of Object.entries(w.instances)) counts[s] = (counts[s] ?? 0) + (n ?? 0);
		history = appendScrape(history, { t: Date.now() / 1000, metrics: value.metrics, counts });
		setSeries(seriesOf(history));
	}, [value]);

	if (!value) return <section class="page">{data.error ? <p class="error">{errorText(data.error)}</p> : <p class="muted">Loading…</p>}</section>;
	const { workflows, metrics, alerts, failures } = value;
	const totals: Record<string, number> = {};
	for (const w of workflows) for (const [s, n] of Object.entries(w.instances)) totals[s] = (totals[s] ?? 0) + (n ?? 0);

	return (
		<section class="page overview">
			<h1>Overview</h1>
			{data.error ? <p class="error">Refresh failed: {errorText(data.error)}</p> : null}
			<div class="cards">
				{(["running", "queued", "waiting", "paused", "errored", "complete"] as const).map((s) => (
					<a class="card" href={instancesHref({ status: s })} key={s}>
						<span class="card-value" data-card={s}>
							{formatNumber(totals[s] ?? 0)}
						</span>
						<StatusBadge status={s} />
					</a>
				))}
			</div>

			<AlertsSection alerts={alerts} />

			<h2>Workflows</h2>
			<WorkflowTable workflows={workflows} metrics={metrics} />

			<h2>Over time</h2>
			{metrics ? null : (
				<p class="muted" data-testid="metrics-unavailable">
					This server publishes no metrics at /metrics: throughput and queue depth come from instance counts, and step latency is not shown.
				</p>
			)}
			<div class="charts">
				<TimeChart
					title="Throughput"
					unit="/s"
					t={series.t}
					lines={[
						{ label: "created", color: "#6b7280", values: series.created },
						{ label: "completed", color: "#16a34a", values: series.completed },
						{ label: "errored", color: "#dc2626", values: series.errored },
					]}
				/>
				<TimeChart
					title="Step latency"
					unit="ms"
					t={series.t}
					lines={[
						{ label: "mean", color: "#2563eb", values: series.latencyMean },
						{ label: "p95", color: "#9333ea", values: series.latencyP95 },
					]}
				/>
				<TimeChart title="Queue depth" unit="instances" t={series.t} lines={[{ label: "queued", color: "#d97706", values: series.queueDepth }]} />
			</div>

			{metrics ? <EngineSection metrics={metrics} /> : null}

			<h2>Recent failures</h2>
			{failures.length === 0 ? (
				<p class="muted">No errored instances.</p>
			) : (
				<table class="list" data-testid="recent-failures">
					<thead>
						<tr>
							<th>instance</th>
							<th>workflow</th>
							<th>ended</th>
						</tr>
					</thead>
					<tbody>
						{failures.map((f) => (
							<tr key={`${f.workflow}/${f.id}`}>
								<td>
									<a href={instanceHref(f.workflow, f.id)}>{f.id}</a>
								</td>
								<td>{f.workflow}</td>
								<td>{formatTime(f.endedOn)}</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</section>
	);
}

function WorkflowTable({ workflows, metrics }: { workflows: WorkflowDescription[]; metrics: ParsedMetrics | null }) {
	const queueDepth = metrics ? byLabel(metrics, "weft_queue_depth", "workflow") : null;
	const queueAge = metrics ? byLabel(metrics, "weft_queue_oldest_age_seconds", "workflow") : null;
	const limits = metrics ? byLabel(metrics, "weft_concurrency_limit", "workflow") : null;
	const held = metrics ? byLabel(metrics, "weft_held_instances", "workflow") : null;
	if (workflows.length === 0) return <p class="muted">No workflows are registered.</p>;
	return (
		<table class="list" data-testid="workflow-table">
			<thead>
				<tr>
					<th>workflow</th>
					{STATUSES.filter((s) => s !== "unknown").map((s) => (
						<th key={s}>{s}</th>
					))}
					<th>running / limit</th>
					<th>queue depth</th>
					<th>oldest queued</th>
					<th>held</th>
				</tr>
			</thead>
			<tbody>
				{workflows.map((w) => {
					const limit = w.concurrency?.limit ?? limits?.get(w.name) ?? null;
					const age = queueAge?.get(w.name);
					return (
						<tr key={w.name} data-workflow={w.name}>
							<td>
								<a href={instancesHref({ workflow: w.name })}>{w.name}</a>
							</td>
							{STATUSES.filter((s) => s !== "unknown").map((s) => (
								<td key={s} class="num" data-count={s}>
									{w.instances[s] ? <a href={instancesHref({ workflow: w.name, status: s })}>{formatNumber(w.instances[s])}</a> : <span class="muted">0</span>}
								</td>
							))}
							<td class="num">
								{formatNumber(w.instances.running ?? 0)} / {limit === null ? "∞" : formatNumber(limit)}
							</td>
							<td class="num">{formatNumber(queueDepth?.get(w.name) ?? w.instances.queued ?? 0)}</td>
							<td class="num">{age === undefined ? "–" : formatDuration(age * 1000)}</td>
							<td class="num">{held ? formatNumber(held.get(w.name) ?? 0) : "–"}</td>
						</tr>
					);
				})}
			</tbody>
		</table>
	);
}

function AlertsSection({ alerts }: { alerts: Alert[] | null }) {
	if (alerts === null)
		return (
			<p class="muted" data-testid="alerts-unavailable">
				Alerts are not available on this server.
			</p>
		);
	const firing = alerts.filter((a) => a.state === "firing");
	return (
		<section data-testid="alerts">
			<h2>Alerts {firing.length > 0 ? <span class="badge status-errored">{firing.length} firing</span> : <span class="badge status-complete">all ok</span>}</h2>
			{alerts.length === 0 ? (
				<p class="muted">No alert rules are configured.</p>
			) : (
				<ul class="alerts">
					{alerts.map((a) => (
						<li key={a.name} class={`alert alert-${a.state}`}>
							<strong>{a.name}</strong> <span class="muted">({a.kind})</span> — {a.state}
							{a.since ? <span class="muted"> since {formatTime(a.since)}</span> : null}
							{a.lastFiredAt ? <span class="muted">, last fired {formatTime(a.lastFiredAt)}</span> : null}
							<div>{a.detail}</div>
						</li>
					))}
				</ul>
			)}
		</section>
	);
}

function EngineSection({ metrics }: { metrics: ParsedMetrics }) {
	const mean = (name: string) => {
		const sum = sumOf(metrics, `${name}_sum`);
		const count = sumOf(metrics, `${name}_count`);
		return sum !== null && count ? sum / count : null;
	};
	const rows: [string, string][] = [
		["lease takeovers", formatNumber(sumOf(metrics, "weft_lease_takeovers_total"))],
		["stale writes rejected", formatNumber(sumOf(metrics, "weft_stale_writes_rejected_total"))],
		["mean commit batch size", formatNumber(mean("weft_commit_batch_size"), 1)],
		["mean commit duration", formatDuration((mean("weft_commit_duration_seconds") ?? Number.NaN) * 1000)],
		["mean timer lateness", formatDuration((mean("weft_timer_lateness_seconds") ?? Number.NaN) * 1000)],
		["step retries", formatNumber(sumOf(metrics, "weft_step_retries_total"))],
	];
	return (
		<>
			<h2>Engine (since the server started)</h2>
			<dl class="facts" data-testid="engine-facts">
				{rows.map(([k, v]) => (
					<div key={k}>
						<dt>{k}</dt>
						<dd>{v}</dd>
					</div>
				))}
			</dl>
		</>
	);
}
