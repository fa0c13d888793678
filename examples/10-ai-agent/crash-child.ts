// The process the crash test runs and kills: the agent on a SQLite file, which SIGKILLs itself
// right after the first model call is committed and before the first tool call's body runs (once,
// remembered by a marker file). Run again, it carries on and prints how the agent ended.
import { existsSync, writeFileSync } from "node:fs";
import { runAgent } from "./run-agent.js";

const [database, ledger, url, key, marker] = process.argv.slice(2) as [string, string, string, string, string];
const status = await runAgent({
	database,
	ledger,
	model: { baseURL: url, apiKey: key, model: "mock" },
	id: "crash-agent",
	task: "Invoice ACME 250 EUR, then pay them 250 EUR back as a refund.",
	decide: async () => ({ approved: true, by: "crash test" }),
	beforeStep: ({ name }) => {
		if (name.startsWith("tool ") && !existsSync(marker)) {
			writeFileSync(marker, "killed");
			process.kill(process.pid, "SIGKILL");
		}
	},
});
console.log(JSON.stringify(status));
