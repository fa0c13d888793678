// The tools the model may call, as the chat-completions API describes them, and what they do.
// `transfer_funds` moves money: the agent asks a human before it runs.
import type OpenAI from "openai";
import type { Ledger, LedgerEntry } from "./ledger.js";

export const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
	{
		type: "function",
		function: {
			name: "create_invoice",
			description: "Issue an invoice to a customer",
			parameters: { type: "object", properties: { customer: { type: "string" }, amount: { type: "number" } }, required: ["customer", "amount"] },
		},
	},
	{
		type: "function",
		function: {
			name: "transfer_funds",
			description: "Transfer money to a customer (needs a human's approval)",
			parameters: { type: "object", properties: { to: { type: "string" }, amount: { type: "number" } }, required: ["to", "amount"] },
		},
	},
];

/** Tools a human must approve before they run. */
export const RISKY = new Set(["transfer_funds"]);

export interface ToolCall {
	id: string;
	name: string;
	args: Record<string, unknown>;
}

/** Runs one tool call; `key` makes its ledger write idempotent. */
export function runTool(ledger: Ledger, call: ToolCall, key: string): LedgerEntry {
	const amount = Number(call.args.amount);
	if (!Number.isFinite(amount) || amount <= 0) throw new Error(`${call.name}: amount must be a positive number, not ${JSON.stringify(call.args.amount)}`);
	switch (call.name) {
		case "create_invoice":
			return ledger.record({ key, kind: "invoice", customer: String(call.args.customer), amount });
		case "transfer_funds":
			return ledger.record({ key, kind: "transfer", customer: String(call.args.to), amount });
		default:
			throw new Error(`the model asked for an unknown tool "${call.name}"`);
	}
}

/** Undoes a tool call's effect (its rollback handler): an invoice is voided; nothing else needs undoing before a transfer. */
export function undoTool(ledger: Ledger, call: ToolCall, done: LedgerEntry | undefined): void {
	if (call.name === "create_invoice" && done)
		ledger.record({ key: `void:${done.key}`, kind: "void", customer: done.customer, amount: done.amount, voids: done.key });
}
