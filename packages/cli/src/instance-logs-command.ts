// `weft instances logs <workflow> <id>`: what an instance's step bodies printed, one line each,
// with the time, the level and the step and attempt it came from.
import type { InstanceLogLine } from "@weft/client";
import type { Command } from "commander";
import { clientFor, examples, print, printJson, resolveId } from "./cli-context.js";
import { paint } from "./style.js";

const LEVEL_STYLE = { error: "red", warn: "yellow", debug: "gray" } as const;

export function registerInstanceLogsCommand(instances: Command): void {
	instances
		.command("logs <workflow> <id>")
		.description('Show what the instance\'s step bodies printed (console.*), attempt by attempt; "latest" is the newest instance')
		.option("--step <name>", "only this step's lines")
		.option("--json", "print JSON ({ logs: [{ step, count, attempt, at, level, message }] })")
		.addHelpText("after", examples("weft instances logs hello latest", "weft instances logs hello ada-1 --step charge"))
		.action(async (workflow: string, id: string, flags: { step?: string; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const instance = await remote.get(await resolveId(remote, id));
			const { logs } = await instance.logs();
			const shown = flags.step === undefined ? logs : logs.filter((l) => l.step === flags.step);
			if (flags.json) return printJson({ logs: shown });
			if (shown.length === 0) return print(flags.step === undefined ? "No log lines." : `No log lines from step "${flags.step}".`);
			print(shown.map(formatLine).join("\n"));
		});
}

export function formatLine(l: InstanceLogLine): string {
	const style = LEVEL_STYLE[l.level as keyof typeof LEVEL_STYLE];
	const level = l.level.padEnd(5);
	return `${paint("gray", l.at)}  ${style ? paint(style, level) : level}  ${paint("cyan", `${l.step}#${l.count} attempt ${l.attempt}`)}  ${l.message}`;
}
