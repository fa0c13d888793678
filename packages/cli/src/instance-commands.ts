// `weft instances list | describe | logs | pause | resume | terminate | restart | send-event | tail`,
// after `wrangler workflows instances`.
import type { InstanceStatusName } from "@weft/client";
import type { Command } from "commander";
import { controlByStatus } from "./bulk-control.js";
import { CliError, clientFor, examples, parseIntArg, parseJsonArg, print, printJson, resolveId } from "./cli-context.js";
import { describeInstance } from "./describe-instance.js";
import { formatJournalEvent } from "./format-journal-event.js";
import { formatTime } from "./format-time.js";
import { type FromStepFlags, fromStep, withFromStepOptions } from "./from-step.js";
import { registerInstanceLogsCommand } from "./instance-logs-command.js";
import { renderTable } from "./render-table.js";
import { statusLabel } from "./status-label.js";
import { paint } from "./style.js";

export function registerInstanceCommands(program: Command): void {
	const instances = program
		.command("instances")
		.description("List, inspect and control instances")
		.addHelpText("after", examples("weft instances list hello", "weft instances describe hello latest", "weft instances tail hello latest"));

	instances
		.command("list <workflow>")
		.description("List a workflow's instances, newest first, a page at a time")
		.option("--status <status>", "only instances with this status (queued, running, waiting, paused, complete, errored, terminated, …)")
		.option("--limit <n>", "instances per page, 1–1000", "50")
		.option("--cursor <cursor>", "the cursor printed after the previous page")
		.option("--created-from <date>", "only instances created at or after this ISO date")
		.option("--created-before <date>", "only instances created before this ISO date")
		.option("--code-version <version>", "only instances created by this version of the workflow code")
		.option("--json", "print JSON ({ instances, cursor })")
		.addHelpText(
			"after",
			examples("weft instances list hello", "weft instances list hello --status errored --limit 10", "weft instances list hello --cursor eyJ…"),
		)
		.action(async (workflow: string, flags: Record<string, string | boolean | undefined>, command: Command) => {
			const page = await clientFor(command)
				.workflow(workflow)
				.list({
					limit: parseIntArg(String(flags.limit), "--limit"),
					...(flags.status ? { status: flags.status as InstanceStatusName } : {}),
					...(flags.cursor ? { cursor: String(flags.cursor) } : {}),
					...(flags.createdFrom ? { createdFrom: String(flags.createdFrom) } : {}),
					...(flags.createdBefore ? { createdBefore: String(flags.createdBefore) } : {}),
					...(flags.codeVersion ? { version: String(flags.codeVersion) } : {}),
				});
			if (flags.json) return printJson(page);
			if (page.instances.length === 0) print("No instances.");
			else
				print(
					renderTable(
						["Id", "Status", "Created", "Started", "Ended"],
						page.instances.map((i) => [i.id, statusLabel(i.status), formatTime(i.createdOn), formatTime(i.startedOn), formatTime(i.endedOn)]),
					),
				);
			if (page.cursor) print(`More: weft instances list ${workflow} --cursor ${page.cursor}`);
		});

	instances
		.command("describe <workflow> <id>")
		.description('Show an instance and its step timeline with every attempt; "latest" is the newest instance')
		.option("--no-step-output", "leave step outputs out")
		.option("--truncate-output-limit <n>", "cut outputs longer than this many characters", "5000")
		.option("--json", "print JSON (the full instance detail)")
		.addHelpText("after", examples("weft instances describe hello latest", "weft instances describe hello ada-1 --json"))
		.action(async (workflow: string, id: string, flags: { stepOutput: boolean; truncateOutputLimit: string; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const resolved = await resolveId(remote, id);
			const details = await (await remote.get(resolved)).details();
			if (flags.json) return printJson(details);
			if (id === "latest") print(`Describing latest instance:\n`);
			print(
				describeInstance(details, {
					stepOutput: flags.stepOutput,
					truncateOutputLimit: parseIntArg(flags.truncateOutputLimit, "--truncate-output-limit"),
					paint,
				}),
			);
		});

	registerInstanceLogsCommand(instances);

	const control: [string, string, "pause" | "resume" | "terminate", string][] = [
		["pause", "Pause an instance: running steps finish, then it waits until resumed", "pause", "⏸️ paused"],
		["resume", "Resume a paused instance; pending sleeps and retries shift by the pause", "resume", "▶ resumed"],
		["terminate", "Stop an instance for good", "terminate", "🚫 terminated"],
	];
	for (const [name, description, method, done] of control) {
		const command = instances
			.command(`${name} <workflow> [id]`)
			.description(`${description}; with --status, every instance in that status`)
			.option("--status <status>", `${name} every instance of the workflow with this status (instead of one id)`)
			.option("--json", "print JSON ({ id, status }, or the bulk summary)");
		if (method === "terminate") command.option("--rollback", "run the instance's rollback handlers first (docs/rollback.md)");
		command
			.addHelpText(
				"after",
				examples(`weft instances ${name} hello ada-1`, `weft instances ${name} hello latest`, `weft instances ${name} hello --status waiting`),
			)
			.action(async (workflow: string, id: string | undefined, flags: { json?: boolean; status?: string; rollback?: boolean }, command: Command) => {
				const remote = clientFor(command).workflow(workflow);
				if (flags.status !== undefined) {
					if (id !== undefined) throw new CliError("give either an instance id or --status, not both");
					const outcome = await controlByStatus(remote, method, flags.status as InstanceStatusName);
					if (flags.json) printJson(outcome);
					else {
						print(`${done}: ${outcome.changed} of ${outcome.matched} "${workflow}" instance(s) that were ${flags.status}`);
						for (const f of outcome.failed) print(`  ${f.id}: ${f.code} ${f.message}`);
					}
					if (outcome.failed.length > 0) process.exitCode = 1;
					return;
				}
				if (id === undefined) throw new CliError(`give an instance id (or "latest"), or --status to ${name} many`);
				const instance = await remote.get(await resolveId(remote, id));
				if (method === "terminate") await instance.terminate({ rollback: flags.rollback === true });
				else await instance[method]();
				const { status } = await instance.status();
				if (flags.json) return printJson({ id: instance.id, status });
				print(`${done}: instance "${instance.id}" of "${workflow}" is now ${statusLabel(status)}`);
			});
	}

	withFromStepOptions(
		instances.command("restart <workflow> <id>").description("Run an instance again from the start, or from a step keeping the results before it"),
		"restart",
	)
		.option("--json", "print JSON ({ id, status })")
		.addHelpText("after", examples("weft instances restart hello ada-1", 'weft instances restart hello ada-1 --from-step "flaky shout"'))
		.action(async (workflow: string, id: string, flags: FromStepFlags & { json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const instance = await remote.get(await resolveId(remote, id));
			const from = fromStep(flags);
			await instance.restart(from ? { from } : {});
			const { status } = await instance.status();
			if (flags.json) return printJson({ id: instance.id, status });
			print(`🔄 instance "${instance.id}" of "${workflow}" restarted${from ? ` from step "${from.name}"` : ""}; it is now ${statusLabel(status)}`);
		});

	instances
		.command("send-event <workflow> <id>")
		.description("Send an event to an instance (buffered until a waitForEvent takes it)")
		.requiredOption("--type <type>", "the event type")
		.option("--payload <json>", "the event payload as JSON")
		.option("--json", "print JSON ({ instanceId, type })")
		.addHelpText("after", examples(`weft instances send-event approval order-7 --type approval --payload '{"by":"ada"}'`))
		.action(async (workflow: string, id: string, flags: { type: string; payload?: string; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const instance = await remote.get(await resolveId(remote, id));
			const payload = flags.payload === undefined ? undefined : parseJsonArg(flags.payload, "--payload");
			await instance.sendEvent({ type: flags.type, payload });
			if (flags.json) return printJson({ instanceId: instance.id, type: flags.type });
			print(`📨 event "${flags.type}" sent to instance "${instance.id}" of "${workflow}"`);
		});

	instances
		.command("tail <workflow> <id>")
		.description("Follow an instance's journal live until it finishes (Server-Sent Events)")
		.option("--cursor <seq>", "start after this journal entry (default: from the beginning)")
		.option("--json", "print one JSON journal entry per line")
		.addHelpText("after", examples("weft instances tail hello latest", "weft instances tail hello ada-1 --json | jq .kind"))
		.action(async (workflow: string, id: string, flags: { cursor?: string; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const instance = await remote.get(await resolveId(remote, id));
			const abort = new AbortController();
			process.once("SIGINT", () => abort.abort());
			if (!flags.json) print(paint("dim", `Following ${workflow}/${instance.id} (Ctrl+C to stop)`));
			for await (const entry of instance.subscribe({ cursor: flags.cursor ? parseIntArg(flags.cursor, "--cursor") : 0, signal: abort.signal })) {
				print(flags.json ? JSON.stringify(entry) : formatJournalEvent(entry));
			}
		});
}
