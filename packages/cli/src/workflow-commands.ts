// `weft workflows list | describe | trigger`, after `wrangler workflows`.

import { resolve } from "node:path";
import type { WorkflowScheduleInfo } from "@weft/client";
import type { Command } from "commander";
import { readParamsFile, triggerBatch } from "./batch-trigger.js";
import { CliError, clientFor, examples, parseJsonArg, print, printJson, userCwd } from "./cli-context.js";
import { renderTable } from "./render-table.js";
import { paint } from "./style.js";

const counts = (instances: Record<string, number | undefined>) =>
	Object.entries(instances)
		.filter(([, n]) => n)
		.map(([s, n]) => `${s} ${n}`)
		.join(", ") || "none";

/** The soonest next firing of a workflow's schedules, with its cron. */
function nextFiring(schedules: WorkflowScheduleInfo[]): string {
	const next = schedules.filter((s) => s.next !== null).sort((a, b) => (a.next as string).localeCompare(b.next as string))[0];
	return next ? `${formatUtc(next.next as string)} (${next.cron})` : "—";
}

function describeSchedule(s: WorkflowScheduleInfo): string {
	return `${s.cron}  next ${s.next ? formatUtc(s.next) : "never"}${s.missed ? ` · ${s.missed} missed while nothing ran` : ""}`;
}

const formatUtc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")}`;

export function registerWorkflowCommands(program: Command): void {
	const workflows = program
		.command("workflows")
		.description("List, describe and trigger workflows")
		.addHelpText("after", examples("weft workflows list", `weft workflows trigger hello '{"name":"Ada"}'`));

	workflows
		.command("list")
		.description("List the server's workflows with their instance counts")
		.option("--json", "print JSON")
		.addHelpText("after", examples("weft workflows list", "weft workflows list --json --url http://10.0.0.5:8787 --token $TOKEN"))
		.action(async (flags: { json?: boolean }, command: Command) => {
			const list = await clientFor(command).workflows();
			if (flags.json) return printJson(list);
			if (list.length === 0) return print("No workflows.");
			const scheduled = list.some((w) => w.schedules?.length);
			print(
				renderTable(
					["Name", "Binding", "Class", "Instances", ...(scheduled ? ["Next firing (UTC)"] : [])],
					list.map((w) => [w.name, w.binding, w.className ?? "—", counts(w.instances), ...(scheduled ? [nextFiring(w.schedules ?? [])] : [])]),
				),
			);
		});

	workflows
		.command("describe <name>")
		.description("Show a workflow: its class, module, concurrency, retention and instance counts")
		.option("--json", "print JSON")
		.addHelpText("after", examples("weft workflows describe hello"))
		.action(async (name: string, flags: { json?: boolean }, command: Command) => {
			const w = await clientFor(command).workflow(name).describe();
			if (flags.json) return printJson(w);
			const retention = w.retention
				? `success ${w.retention.success_retention ?? "—"}, error ${w.retention.error_retention ?? "—"} (not enforced yet)`
				: "— (instances are kept)";
			for (const [label, value] of [
				["Name", w.name],
				["Binding", w.binding],
				["Class", w.className ?? "—"],
				["Module", w.module ?? "—"],
				["Concurrency", w.concurrency ? `${w.concurrency.limit} at once` : "unlimited"],
				["Retention", retention],
				["Instances", counts(w.instances)],
				...(w.schedules?.length ? w.schedules.map((s, i) => [i === 0 ? "Schedules" : "", describeSchedule(s)]) : [["Schedules", "none"]]),
			])
				print(`${(label ? `${label}:` : "").padEnd(14)}${value}`);
		});

	workflows
		.command("trigger <name> [params]")
		.description("Create an instance (params as JSON), or one per line of a params file")
		.option("--id <id>", "the instance id (default: a random UUID)")
		.option("--params-file <file>", "a file with the params of one instance per line (JSON Lines); shows progress and a summary")
		.option("--batch <file>", "the same as --params-file")
		.option("--json", "print JSON")
		.addHelpText(
			"after",
			examples(
				"weft workflows trigger hello",
				`weft workflows trigger hello '{"name":"Ada"}' --id ada-1`,
				"weft workflows trigger hello --params-file people.jsonl",
			),
		)
		.action(async (name: string, params: string | undefined, flags: { id?: string; paramsFile?: string; batch?: string; json?: boolean }, command: Command) => {
			const workflow = clientFor(command).workflow(name);
			if (flags.batch !== undefined) flags.paramsFile ??= flags.batch;
			if (flags.paramsFile) {
				if (params !== undefined || flags.id !== undefined)
					throw new CliError("--params-file creates one instance per line: give neither [params] nor --id with it");
				const all = readParamsFile(resolve(userCwd(), flags.paramsFile));
				const outcome = await triggerBatch(workflow, all, { quiet: flags.json === true });
				if (flags.json) printJson(outcome);
				else {
					print(
						`${outcome.errors.length ? "⚠️" : "✅"} Created ${outcome.created.length} of ${all.length} instances of "${name}"; ${outcome.errors.length} failed`,
					);
					for (const e of outcome.errors.slice(0, 10)) print(paint("red", `  line ${e.index + 1}: [${e.code}] ${e.message}`));
					if (outcome.errors.length > 10) print(`  … and ${outcome.errors.length - 10} more (use --json for all)`);
				}
				if (outcome.errors.length) process.exitCode = 1;
				return;
			}
			const options: { id?: string; params?: unknown } = {};
			if (flags.id !== undefined) options.id = flags.id;
			if (params !== undefined) options.params = parseJsonArg(params, "params");
			const instance = await workflow.create(options);
			if (flags.json) return printJson({ id: instance.id, workflow: name });
			print(`🚀 Workflow instance "${instance.id}" has been queued successfully`);
		});
}
