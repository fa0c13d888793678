// Runs the agent to its end on an engine over `database`: starts it (or picks it up where a
// crashed process left it), answers its approval request with `decide`, and returns how it ended.
import { createEngine, type Engine, type InstanceStatus, type WorkflowBinding } from "weft";
import { type AgentParams, AgentWorkflow, type Approval } from "./agent-workflow.js";
import type { ModelSettings } from "./chat-model.js";

export const agentWorkflows = { AGENT: { name: "billing-agent", class: AgentWorkflow } };

export interface RunAgentOptions {
	database: string;
	ledger: string;
	model: ModelSettings;
	id: string;
	task: string;
	/** Called when the agent asks to run a risky tool; says whether a human approves. */
	decide: (request: { step: string }) => Promise<Approval>;
	/** Test support: called before each step body (a crash test kills the process there). */
	beforeStep?: (step: { name: string; attempt: number }) => void;
}

export async function openAgentEngine(o: Pick<RunAgentOptions, "database" | "ledger" | "model">): Promise<Engine> {
	return createEngine({ database: o.database, workflows: agentWorkflows, env: { MODEL: o.model, LEDGER: o.ledger } });
}

export async function runAgent(o: RunAgentOptions): Promise<InstanceStatus> {
	const engine = await openAgentEngine(o);
	try {
		if (o.beforeStep) {
			const before = o.beforeStep;
			engine.intercept("billing-agent", null, { attempt: (s) => void before(s) });
		}
		const binding = engine.workflow("billing-agent") as WorkflowBinding<AgentParams>;
		const instance = await binding.create({ id: o.id, params: { task: o.task } }).catch(() => binding.get(o.id));
		const asked = new Set<string>();
		for (;;) {
			const status = await instance.status();
			if (status.status === "complete" || status.status === "errored" || status.status === "terminated") return status;
			// Waiting on an approval no one has answered yet: ask.
			const details = await instance.details();
			const pending = details.steps.find((s) => s.type === "waitForEvent" && !s.finished && s.event_type === "approval") as { name: string } | undefined;
			if (pending && !asked.has(pending.name)) {
				asked.add(pending.name);
				await instance.sendEvent({ type: "approval", payload: await o.decide({ step: pending.name }) });
			}
			await new Promise((r) => setTimeout(r, 20));
		}
	} finally {
		await engine.close();
	}
}
