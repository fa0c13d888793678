// `weft instances logs`: what a step body printed, read back through the HTTP API by the CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { WeftClient } from "@weft/client";
import { serveProject } from "@weft/server";
import { runCli } from "./cli-harness.js";

const WORKFLOWS = `
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
export class Talker extends WorkflowEntrypoint<unknown, { name: string }> {
	async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
		await step.do("greet", async (ctx) => {
			console.log("greeting %s on attempt %d", event.payload.name, ctx.attempt);
			if (ctx.attempt === 1) {
				console.error("not yet");
				throw new Error("first attempt fails");
			}
		});
		return step.do("quiet", async () => 1);
	}
}
`;

test("weft instances logs prints each captured line with its step and attempt; --json and --step", async () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-cli-logs-"));
	symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(dir, "node_modules"), "dir");
	writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
	writeFileSync(join(dir, "workflows.ts"), WORKFLOWS);
	writeFileSync(
		join(dir, "weft.config.json"),
		JSON.stringify({
			main: "./workflows.ts",
			workflows: [{ name: "talker", binding: "TALKER", class_name: "Talker" }],
			logs: { echoConsole: false },
		}),
	);
	const served = await serveProject({ cwd: dir, port: 0 });
	try {
		const instance = await new WeftClient({ url: served.url }).workflow("talker").create({ id: "t-1", params: { name: "Ada" } });
		while ((await instance.status()).status !== "complete") await new Promise((r) => setTimeout(r, 10));
		const env = { WEFT_URL: served.url };

		const plain = await runCli(["instances", "logs", "talker", "t-1"], { env });
		assert.equal(plain.code, 0, plain.stderr);
		const lines = plain.stdout.trim().split("\n");
		assert.equal(lines.length, 3);
		assert.match(lines[0] as string, /^\S+Z {2}info {3}greet#1 attempt 1 {2}greeting Ada on attempt 1$/);
		assert.match(lines[1] as string, /^\S+Z {2}error {2}greet#1 attempt 1 {2}not yet$/);
		assert.match(lines[2] as string, /^\S+Z {2}info {3}greet#1 attempt 2 {2}greeting Ada on attempt 2$/);

		const json = await runCli(["instances", "logs", "talker", "latest", "--json"], { env });
		const { logs } = JSON.parse(json.stdout) as { logs: { step: string; attempt: number; level: string; message: string }[] };
		assert.deepEqual(
			logs.map((l) => [l.step, l.attempt, l.level, l.message]),
			[
				["greet", 1, "info", "greeting Ada on attempt 1"],
				["greet", 1, "error", "not yet"],
				["greet", 2, "info", "greeting Ada on attempt 2"],
			],
		);
		const quiet = await runCli(["instances", "logs", "talker", "t-1", "--step", "quiet"], { env });
		assert.equal(quiet.stdout.trim(), 'No log lines from step "quiet".');
	} finally {
		await served.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
