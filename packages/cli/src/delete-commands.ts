// `weft instances delete <workflow> <id…>` and `weft instances purge <workflow>`: removing
// instances for good, one by one or the finished ones past an age.
import type { Command } from "commander";
import { CliError, clientFor, examples, print, printJson, resolveId } from "./cli-context.js";

const FINISHED = ["complete", "errored", "terminated"] as const;

export function registerDeleteCommands(instances: Command): void {
	instances
		.command("delete <workflow> <ids...>")
		.description("Delete instances with their journals, whatever their state (a running one stops); up to 100 ids")
		.option("--json", "print JSON ({ deleted, errors })")
		.addHelpText("after", examples("weft instances delete hello ada-1 ada-2", "weft instances delete hello latest"))
		.action(async (workflow: string, ids: string[], flags: { json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const resolved = await Promise.all(ids.map((id) => resolveId(remote, id)));
			if (resolved.length > 100) throw new CliError(`delete takes at most 100 ids at a time, not ${resolved.length}`);
			const r = await remote.deleteBatch(resolved);
			if (flags.json) printJson(r);
			else {
				for (const d of r.deleted) print(`🗑️ instance "${d.id}" of "${workflow}" deleted`);
				for (const e of r.errors) print(`✘ ${e.id}: ${e.message}`);
			}
			if (r.errors.length > 0) process.exitCode = 1;
		});

	instances
		.command("purge <workflow>")
		.description("Delete finished instances (complete, errored, terminated) that ended more than --older-than ago, in batches")
		.option("--older-than <duration>", 'how long ago they must have ended, e.g. "7 days" (default: any finished instance)')
		.option("--status <status...>", "only these finished statuses (complete, errored, terminated)")
		.option("--json", "print JSON ({ deleted })")
		.addHelpText("after", examples('weft instances purge hello --older-than "30 days"', "weft instances purge hello --status errored terminated"))
		.action(async (workflow: string, flags: { olderThan?: string; status?: string[]; json?: boolean }, command: Command) => {
			for (const s of flags.status ?? [])
				if (!(FINISHED as readonly string[]).includes(s)) throw new CliError(`--status takes complete, errored or terminated, not ${JSON.stringify(s)}`);
			const deleted = await clientFor(command)
				.workflow(workflow)
				.purge({
					...(flags.olderThan ? { olderThan: /^\d+$/.test(flags.olderThan) ? Number(flags.olderThan) : flags.olderThan } : {}),
					...(flags.status ? { statuses: flags.status as (typeof FINISHED)[number][] } : {}),
				});
			if (flags.json) return printJson({ deleted });
			print(`🧹 ${deleted} finished instance(s) of "${workflow}" deleted`);
		});
}
