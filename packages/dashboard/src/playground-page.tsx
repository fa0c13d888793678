// The playground: pick a workflow, write its params as JSON, start an instance and watch it run
// right below, live.
import { useState } from "preact/hooks";
import { InstanceView } from "./instance-view.js";
import { errorText, useSession } from "./session.js";
import { useAsync } from "./use-async.js";
import { WorkflowSelect } from "./workflow-select.js";

export function PlaygroundPage({ query }: { query: URLSearchParams }) {
	const { client, reportError } = useSession();
	const workflows = useAsync(() => client.workflows(), []);
	const names = workflows.value?.map((w) => w.name) ?? [];
	const [chosen, setChosen] = useState(query.get("workflow") ?? "");
	const workflow = chosen || names[0] || "";
	const [params, setParams] = useState("{\n  \n}");
	const [id, setId] = useState("");
	const [problem, setProblem] = useState<string | null>(null);
	const [started, setStarted] = useState<{ workflow: string; id: string } | null>(null);

	async function start(e: Event) {
		e.preventDefault();
		setProblem(null);
		let parsed: unknown;
		try {
			parsed = params.trim() === "" ? undefined : JSON.parse(params);
		} catch (error) {
			setProblem(`params are not JSON: ${(error as Error).message}`);
			return;
		}
		try {
			const instance = await client.workflow(workflow).create({ ...(id.trim() ? { id: id.trim() } : {}), ...(parsed === undefined ? {} : { params: parsed }) });
			setStarted({ workflow, id: instance.id });
		} catch (error) {
			reportError(error);
			setProblem(errorText(error));
		}
	}

	return (
		<section class="page">
			<h1>Playground</h1>
			<form class="playground" onSubmit={start}>
				<WorkflowSelect names={names} value={workflow} onChange={setChosen} />
				<label>
					instance id (optional)
					<input value={id} onInput={(e) => setId(e.currentTarget.value)} name="id" placeholder="generated when empty" />
				</label>
				<label class="wide">
					params (JSON)
					<textarea rows={8} value={params} onInput={(e) => setParams(e.currentTarget.value)} name="params" spellcheck={false} />
				</label>
				<div>
					<button type="submit" disabled={!workflow} data-action="start">
						Start instance
					</button>
					{problem ? (
						<span class="error" data-testid="playground-error">
							{problem}
						</span>
					) : null}
				</div>
			</form>
			{started ? <InstanceView key={`${started.workflow}/${started.id}`} workflow={started.workflow} id={started.id} /> : null}
		</section>
	);
}
