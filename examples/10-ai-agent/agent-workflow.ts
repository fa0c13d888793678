// A tool-using agent as a durable workflow. Every model call and every tool call is a step, so a
// crash or a redeploy never pays for a model call twice nor runs a tool twice for one decision;
// a risky tool waits for a human's approval (an event, sent from the CLI, the API or the
// dashboard); a rejection fails the run, and the rollback handlers undo what the tools did.
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { type AssistantMessage, callModel, type Message, type ModelSettings } from "./chat-model.js";
import { Ledger, type LedgerEntry } from "./ledger.js";
import { RISKY, runTool, type ToolCall, undoTool } from "./tools.js";

export interface AgentEnv {
	MODEL: ModelSettings;
	/** The ledger file the tools write. */
	LEDGER: string;
}

export interface AgentParams {
	task: string;
}

export interface Approval {
	approved: boolean;
	by: string;
}

export interface AgentResult {
	answer: string;
	turns: number;
}

const MAX_TURNS = 8;
const SYSTEM = "You are a billing assistant. Use the tools to do what the user asks, then say what you did.";

export class AgentWorkflow extends WorkflowEntrypoint<AgentEnv, AgentParams> {
	async run(event: WorkflowEvent<AgentParams>, step: WorkflowStep): Promise<AgentResult> {
		const ledger = new Ledger(this.env.LEDGER);
		const messages: Message[] = [
			{ role: "system", content: SYSTEM },
			{ role: "user", content: event.payload.task },
		];
		for (let turn = 1; turn <= MAX_TURNS; turn++) {
			// The model's answer is journaled: on replay it is read back, never asked (nor paid for) again.
			const reply: AssistantMessage = await step.do(`model call ${turn}`, { retries: { limit: 3, delay: "2 seconds", backoff: "exponential" } }, (ctx) =>
				callModel(this.env.MODEL, messages, ctx.signal),
			);
			messages.push(reply);
			if (!reply.tool_calls?.length) return { answer: String(reply.content ?? ""), turns: turn };

			for (const raw of reply.tool_calls) {
				if (raw.type !== "function") continue;
				const call: ToolCall = { id: raw.id, name: raw.function.name, args: parseArgs(raw.function.arguments) };
				if (RISKY.has(call.name)) {
					const approval = await step.waitForEvent<Approval>(`approval for ${call.name} ${call.id}`, { type: "approval", timeout: "1 day" });
					// Outside any step: the run fails, and every tool call so far is rolled back.
					if (!approval.payload.approved) throw new NonRetryableError(`${approval.payload.by} rejected ${call.name}(${JSON.stringify(call.args)})`);
				}
				const result: LedgerEntry = await step.do(`tool ${call.name} ${call.id}`, async () => runTool(ledger, call, `${event.instanceId}:${call.id}`), {
					rollback: async ({ output }) => undoTool(ledger, call, output as LedgerEntry | undefined),
				});
				messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(result) });
			}
		}
		throw new NonRetryableError(`no answer after ${MAX_TURNS} turns`);
	}
}

function parseArgs(text: string): Record<string, unknown> {
	try {
		const v = JSON.parse(text || "{}");
		return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
	} catch {
		throw new NonRetryableError(`the model sent tool arguments that are not JSON: ${text.slice(0, 200)}`);
	}
}
