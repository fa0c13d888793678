// One timeline item in full: config, output, error, and every attempt with its error and the
// logs it captured (when the server records them), plus "restart from this step".
import type { InstanceDetails, RestartFrom } from "@weft/client";
import { formatDuration, formatTime } from "./format.js";
import { JsonView } from "./json-view.js";

type Item = InstanceDetails["steps"][number];

/** What the API may add to an attempt: captured logs, and an error's stack. */
interface AttemptExtras {
	logs?: { at: string; level: string; message: string }[];
	error: { name: string; message: string; stack?: string } | null;
}

export function restartTarget(item: Item): RestartFrom | null {
	if (item.type === "termination") return null;
	return { name: item.name, count: item.count, type: item.type === "step" ? "do" : item.type };
}

export function StepDetail({ item, onRestartFrom, busy }: { item: Item; onRestartFrom(from: RestartFrom): void; busy: boolean }) {
	if (item.type === "termination") return <p>Terminated at {formatTime(item.at)}.</p>;
	const from = restartTarget(item);
	return (
		<section class="step-detail" data-testid="step-detail" data-step={`${item.name}-${item.count}`}>
			<header>
				<h3>
					{item.type === "step" ? "step.do" : item.type === "sleep" ? "step.sleep" : "step.waitForEvent"} “{item.name}” <span class="muted">#{item.count}</span>
				</h3>
				{from ? (
					<button type="button" disabled={busy} onClick={() => onRestartFrom(from)} data-action="restart-from-step">
						Restart from this step
					</button>
				) : null}
			</header>
			<dl class="facts">
				<div>
					<dt>started</dt>
					<dd>{formatTime(item.start)}</dd>
				</div>
				<div>
					<dt>{item.type === "sleep" ? "due" : "ended"}</dt>
					<dd>{formatTime(item.end)}</dd>
				</div>
				{item.type === "waitForEvent" ? (
					<div>
						<dt>event type</dt>
						<dd>{item.event_type}</dd>
					</div>
				) : null}
				{item.type === "step" && item.nextAttemptAt ? (
					<div>
						<dt>next attempt</dt>
						<dd>{formatTime(item.nextAttemptAt)}</dd>
					</div>
				) : null}
			</dl>
			{item.type === "step" ? (
				<>
					<h4>Config</h4>
					<JsonView value={item.config} label="config" />
				</>
			) : null}
			{item.type !== "sleep" && item.output !== null ? (
				<>
					<h4>Output</h4>
					<JsonView value={item.output} label="output" />
				</>
			) : null}
			{item.type !== "sleep" && item.error ? <ErrorBox error={item.error} /> : null}
			{item.type === "step" ? (
				<>
					<h4>Attempts</h4>
					<ol class="attempts">
						{item.attempts.map((a, i) => {
							const extra = a as typeof a & AttemptExtras;
							return (
								<li key={a.start} class={a.success ? "attempt-ok" : "attempt-failed"} data-attempt={i + 1}>
									<div>
										<strong>attempt {i + 1}</strong> {a.success ? "succeeded" : "failed"} · {formatTime(a.start)} ·{" "}
										{formatDuration(Date.parse(a.end) - Date.parse(a.start))}
										{i > 0 ? (
											<span class="muted">
												{" "}
												· after a retry wait of {formatDuration(Date.parse(a.start) - Date.parse(item.attempts[i - 1]?.end ?? a.start))}
											</span>
										) : null}
									</div>
									{extra.error ? <ErrorBox error={extra.error} /> : null}
									{extra.logs && extra.logs.length > 0 ? (
										<pre class="logs" data-testid="attempt-logs">
											{extra.logs.map((l) => `${l.at.slice(11, 23)} ${l.level.padEnd(5)} ${l.message}`).join("\n")}
										</pre>
									) : null}
								</li>
							);
						})}
					</ol>
				</>
			) : null}
		</section>
	);
}

export function ErrorBox({ error }: { error: { name: string; message: string; stack?: string } }) {
	return (
		<div class="error-box" data-testid="error">
			<strong>{error.name}</strong>: {error.message}
			{error.stack ? <pre class="stack">{error.stack}</pre> : null}
		</div>
	);
}
