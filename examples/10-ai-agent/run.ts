// `node examples/dist/10-ai-agent/run.js [--mock] [--approve|--reject] ["task"]`: the billing
// agent against an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL),
// or against a local mock of one with --mock. It asks you before it moves money.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { type ModelSettings, modelSettingsFromEnv } from "./chat-model.js";
import { type MockModel, startMockModel } from "./mock-model-server.js";
import { runAgent } from "./run-agent.js";

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: { mock: { type: "boolean" }, approve: { type: "boolean" }, reject: { type: "boolean" }, database: { type: "string", default: "weft-agent.db" } },
});
let mock: MockModel | undefined;
let model: ModelSettings;
try {
	if (values.mock) {
		mock = await startMockModel();
		model = { baseURL: mock.url, apiKey: mock.key, model: "mock" };
	} else model = modelSettingsFromEnv(process.env);
} catch (e) {
	console.error(`✘ ${(e as Error).message}`);
	process.exit(2);
}
try {
	const status = await runAgent({
		database: values.database as string,
		ledger: "agent-ledger.json",
		model,
		id: `agent-${Date.now().toString(36)}`,
		task: positionals[0] ?? "Invoice ACME 250 EUR, then pay them 250 EUR back as a refund.",
		decide: async ({ step }) => {
			if (values.approve || values.reject) return { approved: values.approve === true, by: "command line" };
			const rl = createInterface({ input: process.stdin, output: process.stdout });
			const answer = await rl.question(`The agent asks: ${step}. Approve? [y/N] `);
			rl.close();
			return { approved: /^y/i.test(answer), by: process.env.USER ?? "you" };
		},
	});
	console.log(JSON.stringify(status, null, 2));
} finally {
	await mock?.close();
}
