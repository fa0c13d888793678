// One instance, live: header, why it waits, the actions, the Gantt timeline and the selected
// step in full. Used by the instance page and by the playground.
import type { RestartFrom, StatusAction } from "@weft/client";
import { useState } from "preact/hooks";
import { formatDuration, formatTime, relative } from "./format.js";
import { JsonView } from "./json-view.js";
import { errorText, useSession } from "./session.js";
import { StatusBadge, TERMINAL_STATUSES } from "./status-badge.js";
import { ErrorBox, StepDetail } from "./step-detail.js";
import { TimelineGantt } from "./timeline-gantt.js";
import { useLiveDetails } from "./use-live-details.js";
import { waitingReason } from "./waiting-reason.js";

export function InstanceView({ workflow, id }: { workflow: string; id: string }) {
	const { client, reportError } = useSession();
	const live = useLiveDetails(workflow, id);
	const [selected, setSelected] = useState<number | null>(null);
	const [busy, setBusy] = useState(false);
	const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
	const details = live.details;

	async function act(label: string, action: StatusAction, from?: RestartFrom) {
		if (action === "terminate" && !confirm(`Terminate ${id}?`)) return;
		setBusy(true);
		setMessage(null);
		try {
			const path = `/api/workflows/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}/status`;
			const answer = await client.request<{ status: string }>("PATCH", path, { body: from ? { status: action, from } : { status: action } });
			setMessage({ ok: true, text: `${label}: now ${answer.status}` });
		} catch (e) {
			reportError(e);
			setMessage({ ok: false, text: `${label} failed: ${errorText(e)}` });
		} finally {
			setBusy(false);
			live.reload();
		}
	}

	if (!details) return live.error ? <p class="error">{errorText(live.error)}</p> : <p class="muted">Loading…</p>;
	const reason = waitingReason(details);
	const terminal = TERMINAL_STATUSES.has(details.status);
	// Until a row is picked, show the step that failed last, if one did.
	const shown = selected ?? lastFailedStep(details.steps);
	const item = shown !== null ? details.steps[shown] : undefined;

	return (
		<div class="instance" data-status={details.status}>
			<header class="instance-header">
				<h1>
					{details.id} <StatusBadge status={details.status} />
					{live.streaming ? (
						<span class="live" title="following the journal stream">
							● live
						</span>
					) : null}
				</h1>
				<dl class="facts">
					<div>
						<dt>workflow</dt>
						<dd>{details.workflow}</dd>
					</div>
					<div>
						<dt>queued</dt>
						<dd>{formatTime(details.queued)}</dd>
					</div>
					<div>
						<dt>started</dt>
						<dd>{formatTime(details.start)}</dd>
					</div>
					<div>
						<dt>ended</dt>
						<dd>{formatTime(details.end)}</dd>
					</div>
					<div>
						<dt>duration</dt>
						<dd>{details.start ? formatDuration(Date.parse(details.end ?? new Date().toISOString()) - Date.parse(details.start)) : "–"}</dd>
					</div>
					<div>
						<dt>generation</dt>
						<dd>{details.generation}</dd>
					</div>
				</dl>
			</header>

			<p class={`reason reason-${reason.kind}`} data-testid="waiting-reason" data-kind={reason.kind}>
				{reason.text}
				{reason.dueAt ? <span class="muted"> ({relative(reason.dueAt)})</span> : null}
			</p>

			<div class="toolbar">
				<button type="button" disabled={busy || terminal || details.status === "paused"} onClick={() => act("Pause", "pause")} data-action="pause">
					Pause
				</button>
				<button
					type="button"
					disabled={busy || (details.status !== "paused" && details.status !== "waitingForPause")}
					onClick={() => act("Resume", "resume")}
					data-action="resume"
				>
					Resume
				</button>
				<button type="button" class="danger" disabled={busy || terminal} onClick={() => act("Terminate", "terminate")} data-action="terminate">
					Terminate
				</button>
				<button type="button" disabled={busy} onClick={() => act("Restart", "restart")} data-action="restart">
					Restart
				</button>
				{message ? (
					<span class={message.ok ? "ok" : "error"} data-testid="action-result">
						{message.text}
					</span>
				) : null}
			</div>
			{terminal ? null : <SendEvent workflow={workflow} id={id} onSent={live.reload} />}

			{details.error ? <ErrorBox error={details.error} /> : null}

			<h2>Timeline</h2>
			<TimelineGantt details={details} selected={shown} onSelect={setSelected} />
			{item ? (
				<StepDetail item={item} busy={busy} onRestartFrom={(from) => act(`Restart from ${from.name}`, "restart", from)} />
			) : (
				<p class="muted">Select a row to see that step.</p>
			)}

			<div class="columns">
				<div>
					<h2>Params</h2>
					<JsonView value={details.params} label="params" />
				</div>
				<div>
					<h2>Output</h2>
					{details.status === "complete" ? <JsonView value={details.output} label="instance-output" /> : <p class="muted">none yet</p>}
				</div>
			</div>
		</div>
	);
}

function SendEvent({ workflow, id, onSent }: { workflow: string; id: string; onSent(): void }) {
	const { client, reportError } = useSession();
	const [type, setType] = useState("");
	const [payload, setPayload] = useState("");
	const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
	async function send(e: Event) {
		e.preventDefault();
		let body: unknown;
		try {
			body = payload.trim() === "" ? undefined : JSON.parse(payload);
		} catch (error) {
			setMessage({ ok: false, text: `the payload is not JSON: ${(error as Error).message}` });
			return;
		}
		try {
			await client
				.workflow(workflow)
				.get(id)
				.then((i) => i.sendEvent({ type, payload: body }));
			setMessage({ ok: true, text: `sent "${type}"` });
			onSent();
		} catch (error) {
			reportError(error);
			setMessage({ ok: false, text: errorText(error) });
		}
	}
	return (
		<form class="send-event" onSubmit={send}>
			<input placeholder="event type" value={type} required onInput={(e) => setType(e.currentTarget.value)} name="eventType" aria-label="event type" />
			<input
				placeholder='payload (JSON), e.g. {"by":"ada"}'
				value={payload}
				onInput={(e) => setPayload(e.currentTarget.value)}
				name="eventPayload"
				aria-label="event payload"
			/>
			<button type="submit">Send event</button>
			{message ? <span class={message.ok ? "ok" : "error"}>{message.text}</span> : null}
		</form>
	);
}

function lastFailedStep(steps: { type: string; error?: unknown }[]): number | null {
	for (let i = steps.length - 1; i >= 0; i--) if (steps[i]?.type !== "termination" && steps[i]?.error) return i;
	return null;
}
