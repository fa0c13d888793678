// The instance list of one workflow: filters by status and creation time, lookup by id, pages
// through the API's cursor (so page 20 000 costs what page 1 does), and pause, resume or
// terminate of a selection.
import type { InstancePage, InstanceStatusName } from "@weft/client";
import { WeftApiError } from "@weft/client";
import { useEffect, useState } from "preact/hooks";
import { type BulkResult, bulkAction } from "./bulk-action.js";
import { formatDuration, formatTime } from "./format.js";
import { instanceHref, instancesHref } from "./hash-route.js";
import { errorText, useSession } from "./session.js";
import { STATUSES, StatusBadge } from "./status-badge.js";
import { useAsync } from "./use-async.js";
import { WorkflowSelect } from "./workflow-select.js";

const PAGE_SIZES = [25, 50, 100, 500];

export function InstancesPage({ query }: { query: URLSearchParams }) {
	const { client, reportError } = useSession();
	const workflows = useAsync(() => client.workflows(), []);
	const names = workflows.value?.map((w) => w.name) ?? [];
	const workflow = query.get("workflow") || names[0] || "";
	const status = query.get("status") ?? "";
	const from = query.get("from") ?? "";
	const to = query.get("to") ?? "";
	const limit = Number(query.get("limit")) || 50;
	// Cursors of the pages before this one, so "previous" needs no backwards cursor from the API.
	// A new filter starts again from the first page.
	const filterKey = `${workflow}|${status}|${from}|${to}|${limit}`;
	const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: filterKey, cursors: [undefined] });
	const cursors = paging.key === filterKey ? paging.cursors : [undefined];
	const setCursors = (change: (c: (string | undefined)[]) => (string | undefined)[]) => setPaging({ key: filterKey, cursors: change(cursors) });
	const cursor = cursors[cursors.length - 1];
	const [selected, setSelected] = useState<Set<string>>(new Set());
	const [bulk, setBulk] = useState<{ running: string } | { result: BulkResult; action: string } | null>(null);

	useEffect(() => setSelected(new Set()), [filterKey]);

	const page = useAsync<InstancePage | null>(
		async () => {
			if (!workflow) return null;
			return client.workflow(workflow).list({
				...(status ? { status: status as InstanceStatusName } : {}),
				...(from ? { createdFrom: new Date(from).toISOString() } : {}),
				...(to ? { createdBefore: new Date(to).toISOString() } : {}),
				limit,
				...(cursor ? { cursor } : {}),
			});
		},
		[filterKey, cursor],
		5000,
	);

	const navigate = (change: Record<string, string | undefined>) => {
		location.hash = instancesHref({ workflow, status, from, to, limit: limit === 50 ? undefined : String(limit), ...change });
	};

	const rows = page.value?.instances ?? [];
	const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
	const toggle = (id: string) =>
		setSelected((s) => {
			const next = new Set(s);
			if (next.has(id)) next.delete(id);
			else next.add(id);
			return next;
		});

	async function runBulk(action: "pause" | "resume" | "terminate") {
		const ids = [...selected];
		if (action === "terminate" && !confirm(`Terminate ${ids.length} instance(s)? This cannot be undone (restart starts them again from the top).`)) return;
		setBulk({ running: `${action} ${ids.length}…` });
		try {
			const result = await bulkAction(client, workflow, ids, action);
			setBulk({ result, action });
			setSelected(new Set());
		} catch (e) {
			reportError(e);
			setBulk(null);
		}
		page.reload();
	}

	return (
		<section class="page">
			<h1>Instances</h1>
			<form
				class="filters"
				onSubmit={(e) => {
					e.preventDefault();
				}}
			>
				<WorkflowSelect names={names} value={workflow} onChange={(name) => navigate({ workflow: name })} />
				<label>
					status
					<select value={status} onChange={(e) => navigate({ status: e.currentTarget.value })} name="status">
						<option value="">any</option>
						{STATUSES.map((s) => (
							<option key={s} value={s}>
								{s}
							</option>
						))}
					</select>
				</label>
				<label>
					created from
					<input type="datetime-local" step="1" value={from} onChange={(e) => navigate({ from: e.currentTarget.value })} name="from" />
				</label>
				<label>
					created before
					<input type="datetime-local" step="1" value={to} onChange={(e) => navigate({ to: e.currentTarget.value })} name="to" />
				</label>
				<label>
					per page
					<select value={String(limit)} onChange={(e) => navigate({ limit: e.currentTarget.value })} name="limit">
						{PAGE_SIZES.map((n) => (
							<option key={n} value={n}>
								{n}
							</option>
						))}
					</select>
				</label>
			</form>
			<IdSearch workflows={names} current={workflow} />

			<div class="toolbar">
				<span>{selected.size} selected</span>
				<button type="button" disabled={selected.size === 0 || !!(bulk && "running" in bulk)} onClick={() => runBulk("pause")} data-action="bulk-pause">
					Pause
				</button>
				<button type="button" disabled={selected.size === 0 || !!(bulk && "running" in bulk)} onClick={() => runBulk("resume")} data-action="bulk-resume">
					Resume
				</button>
				<button
					type="button"
					class="danger"
					disabled={selected.size === 0 || !!(bulk && "running" in bulk)}
					onClick={() => runBulk("terminate")}
					data-action="bulk-terminate"
				>
					Terminate
				</button>
				{bulk && "running" in bulk ? <span class="muted">{bulk.running}</span> : null}
				{bulk && "result" in bulk ? (
					<span data-testid="bulk-result" class={bulk.result.failed.length ? "error" : "ok"}>
						{bulk.action}: {bulk.result.done.length} done
						{bulk.result.failed.length ? `, ${bulk.result.failed.length} failed (${bulk.result.failed.map((f) => `${f.id}: ${f.code}`).join("; ")})` : ""}
					</span>
				) : null}
			</div>

			{page.error ? <p class="error">{errorText(page.error)}</p> : null}
			<table class="list" data-testid="instance-list">
				<thead>
					<tr>
						<th>
							<input
								type="checkbox"
								aria-label="select all on this page"
								checked={allSelected}
								onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
							/>
						</th>
						<th>id</th>
						<th>status</th>
						<th>created</th>
						<th>started</th>
						<th>ended</th>
						<th>duration</th>
					</tr>
				</thead>
				<tbody>
					{rows.map((r) => (
						<tr key={r.id} data-id={r.id}>
							<td>
								<input type="checkbox" aria-label={`select ${r.id}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} />
							</td>
							<td>
								<a href={instanceHref(r.workflow, r.id)}>{r.id}</a>
							</td>
							<td>
								<StatusBadge status={r.status} />
							</td>
							<td>{formatTime(r.createdOn)}</td>
							<td>{formatTime(r.startedOn)}</td>
							<td>{formatTime(r.endedOn)}</td>
							<td class="num">{r.startedOn ? formatDuration(Date.parse(r.endedOn ?? new Date().toISOString()) - Date.parse(r.startedOn)) : "–"}</td>
						</tr>
					))}
				</tbody>
			</table>
			{page.value && rows.length === 0 ? <p class="muted">No instances match.</p> : null}
			<div class="pager">
				<button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
					← Newer
				</button>
				<span class="muted">page {cursors.length}</span>
				<button
					type="button"
					disabled={!page.value?.cursor}
					onClick={() => {
						const next = page.value?.cursor;
						if (next) setCursors((c) => [...c, next]);
					}}
					data-action="next-page"
				>
					Older →
				</button>
			</div>
		</section>
	);
}

/** Instance ids are unique per workflow: look the id up in the current workflow, then in the others. */
function IdSearch({ workflows, current }: { workflows: string[]; current: string }) {
	const { client, reportError } = useSession();
	const [id, setId] = useState("");
	const [message, setMessage] = useState<string | null>(null);
	async function search(e: Event) {
		e.preventDefault();
		const wanted = id.trim();
		if (!wanted) return;
		setMessage("searching…");
		for (const w of [current, ...workflows.filter((n) => n !== current)]) {
			try {
				await client.request("GET", `/api/workflows/${encodeURIComponent(w)}/instances/${encodeURIComponent(wanted)}`);
				location.hash = instanceHref(w, wanted);
				return;
			} catch (error) {
				if (!(error instanceof WeftApiError) || error.status === 401) {
					reportError(error);
					setMessage(errorText(error));
					return;
				}
				if (error.code === "instance.invalid_id") {
					setMessage(error.message);
					return;
				}
			}
		}
		setMessage(`no instance "${wanted}" in any workflow`);
	}
	return (
		<form class="search" onSubmit={search}>
			<input type="search" placeholder="instance id" value={id} onInput={(e) => setId(e.currentTarget.value)} name="id" aria-label="instance id" />
			<button type="submit">Find</button>
			{message ? <span class="muted">{message}</span> : null}
		</form>
	);
}
