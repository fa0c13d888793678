// `weft workflows list` and `describe` show each workflow's next scheduled firing.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { serveProject } from "@weft/server";
import { killAll, runCli } from "./cli-harness.js";

const dirs: string[] = [];
after(async () => {
	await killAll();
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("weft workflows list shows the next firing of a scheduled workflow", async () => {
	const dir = mkdtempSync(join(tmpdir(), "weft-schedules-cli-"));
	dirs.push(dir);
	symlinkSync(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(dir, "node_modules"), "dir");
	mkdirSync(join(dir, "src"));
	writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
	writeFileSync(
		join(dir, "src/workflows.ts"),
		'import { WorkflowEntrypoint } from "weft";\nexport class Report extends WorkflowEntrypoint {\n\tasync run() {\n\t\treturn "done";\n\t}\n}\n',
	);
	writeFileSync(
		join(dir, "weft.config.json"),
		JSON.stringify({ main: "src/workflows.ts", workflows: [{ name: "report", binding: "REPORT", class_name: "Report", schedules: "0 3 * * *" }] }),
	);
	const project = await serveProject({ cwd: dir, port: 0, log: () => {} });
	try {
		const next = new Date(Date.now());
		next.setUTCHours(3, 0, 0, 0);
		if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
		const shown = `${next.toISOString().slice(0, 16).replace("T", " ")} (0 3 * * *)`;

		const list = await runCli(["workflows", "list", "--url", project.url]);
		assert.equal(list.code, 0, list.stderr);
		assert.match(list.stdout, /Next firing \(UTC\)/);
		assert.ok(list.stdout.includes(shown), `${shown} in:\n${list.stdout}`);

		const describe = await runCli(["workflows", "describe", "report", "--url", project.url]);
		assert.ok(describe.stdout.includes(`Schedules:    0 3 * * *  next ${shown.slice(0, 16)}`), describe.stdout);

		const json = await runCli(["workflows", "list", "--json", "--url", project.url]);
		assert.deepEqual(JSON.parse(json.stdout)[0].schedules, [{ cron: "0 3 * * *", next: next.toISOString() }]);
	} finally {
		await project.close();
	}
});
