// The billing agent end to end, against a local chat-completions server that streams tool calls:
// approved, it invoices and pays; rejected, the invoice is voided by its rollback handler; killed
// between a model call and a tool call, it carries on without asking the model again.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { modelSettingsFromEnv } from "./chat-model.js";
import { Ledger } from "./ledger.js";
import { type MockModel, startMockModel } from "./mock-model-server.js";
import { openAgentEngine, runAgent } from "./run-agent.js";

let dir: string;
let mock: MockModel;
before(async () => {
	dir = mkdtempSync(join(tmpdir(), "weft-agent-"));
	mock = await startMockModel();
});
after(async () => {
	await mock.close();
	rmSync(dir, { recursive: true, force: true });
});

const task = "Invoice ACME 250 EUR, then pay them 250 EUR back as a refund.";

test("approved: every model call and tool call is a step, and the conversation is in the timeline", async () => {
	mock.calls.length = 0;
	const files = { database: join(dir, "approve.db"), ledger: join(dir, "approve.json") };
	const model = { baseURL: mock.url, apiKey: mock.key, model: "mock" };
	const asked: string[] = [];
	const status = await runAgent({
		...files,
		model,
		id: "a1",
		task,
		decide: async ({ step }) => {
			asked.push(step);
			return { approved: true, by: "dana" };
		},
	});
	assert.equal(status.status, "complete");
	assert.deepEqual(status.output, { answer: "Invoiced ACME 250 and transferred 250 to ACME.", turns: 3 });
	assert.deepEqual(mock.calls, [0, 1, 2], "three model calls, each made once");
	assert.deepEqual(asked, ["approval for transfer_funds call_2_transfer_funds"]);
	assert.deepEqual(
		new Ledger(files.ledger).entries().map((e) => [e.kind, e.customer, e.amount]),
		[
			["invoice", "ACME", 250],
			["transfer", "ACME", 250],
		],
	);
	const engine = await openAgentEngine({ ...files, model });
	try {
		const d = await engine.details({ workflow: "billing-agent", id: "a1" });
		assert.deepEqual(
			d.steps.map((s) => ("name" in s ? s.name : s.type)),
			[
				"model call 1",
				"tool create_invoice call_1_create_invoice",
				"model call 2",
				"approval for transfer_funds call_2_transfer_funds",
				"tool transfer_funds call_2_transfer_funds",
				"model call 3",
			],
		);
		const first = d.steps[0] as { output: { tool_calls: { function: { name: string; arguments: string } }[] } };
		assert.deepEqual(first.output.tool_calls[0]?.function, { name: "create_invoice", arguments: '{"customer":"ACME","amount":250}' });
	} finally {
		await engine.close();
	}
});

test("rejected: the run fails and the rollback handlers undo what the tools did", async () => {
	const files = { database: join(dir, "reject.db"), ledger: join(dir, "reject.json") };
	const status = await runAgent({
		...files,
		model: { baseURL: mock.url, apiKey: mock.key, model: "mock" },
		id: "r1",
		task,
		decide: async () => ({ approved: false, by: "dana" }),
	});
	assert.equal(status.status, "errored");
	assert.match(status.error?.message ?? "", /dana rejected transfer_funds/);
	assert.deepEqual(status.rollback, { outcome: "complete", error: null });
	assert.deepEqual(
		new Ledger(files.ledger).entries().map((e) => [e.kind, e.amount]),
		[
			["invoice", 250],
			["void", 250],
		],
		"the invoice is voided; no money moved",
	);
});

test("killed between a model call and a tool call, it carries on without asking the model again", async () => {
	mock.calls.length = 0;
	const child = fileURLToPath(new URL("./crash-child.js", import.meta.url));
	const args = [join(dir, "crash.db"), join(dir, "crash.json"), mock.url, mock.key, join(dir, "crash.marker")];
	const run = () =>
		new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) => {
			const p = spawn(process.execPath, [child, ...args], { stdio: ["ignore", "pipe", "inherit"] });
			let stdout = "";
			p.stdout.on("data", (d) => (stdout += d));
			p.on("close", (code, signal) => resolve({ code, signal, stdout }));
		});
	const first = await run();
	assert.equal(first.signal, "SIGKILL", "the first process died before its first tool call");
	assert.deepEqual(mock.calls, [0], "the first model call was made (and committed) before the kill");
	const second = await run();
	assert.equal(second.code, 0);
	const status = JSON.parse(second.stdout.trim().split("\n").at(-1) as string);
	assert.equal(status.status, "complete");
	assert.deepEqual(mock.calls, [0, 1, 2], "after the restart, the first model call came from the journal: no call was paid twice");
	assert.deepEqual(
		new Ledger(args[1] as string).entries().map((e) => e.kind),
		["invoice", "transfer"],
	);
});

test("a missing API key is a clear message, not a stack", () => {
	assert.throws(() => modelSettingsFromEnv({}), /set OPENAI_API_KEY .* or run with --mock/);
});
