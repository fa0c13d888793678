// The `weft` command line, modelled on `wrangler workflows`: dev and start run a server; the
// rest talk to one over HTTP (--url / WEFT_URL, --token / WEFT_TOKEN).
import { Command, Option } from "commander";
import { DEFAULT_URL, examples } from "./cli-context.js";
import { registerDeleteCommands } from "./delete-commands.js";
import { registerDevCommands } from "./dev-commands.js";
import { registerInitCommand } from "./init-command.js";
import { registerInstanceCommands } from "./instance-commands.js";
import { registerInstanceReplayCommands, registerReplayCommands } from "./replay-commands.js";
import { registerWorkflowCommands } from "./workflow-commands.js";

export function buildProgram(): Command {
	const program = new Command("weft")
		.description("Durable workflows with the Cloudflare Workflows API, on your own machine")
		.version("0.1.0")
		// Usage errors reach bin.ts as exceptions (subcommands inherit this), so exit codes stay in one place.
		.exitOverride()
		.addOption(new Option("--url <url>", "the Weft server to talk to").env("WEFT_URL").default(DEFAULT_URL))
		.addOption(new Option("--token <token>", "bearer token: sent to the server, or required by it under dev/start").env("WEFT_TOKEN"))
		.showHelpAfterError("(add --help for usage)")
		.addHelpText(
			"after",
			examples(
				"weft dev                                   # in your project: engine + API on 127.0.0.1:8787",
				`weft workflows trigger hello '{"name":"Ada"}'`,
				"weft instances describe hello latest",
				"weft instances tail hello latest",
			),
		);
	registerDevCommands(program);
	registerWorkflowCommands(program);
	registerInstanceCommands(program);
	const instances = program.commands.find((c) => c.name() === "instances") as Command;
	registerInstanceReplayCommands(instances);
	registerDeleteCommands(instances);
	registerReplayCommands(program);
	registerInitCommand(program);
	return program;
}
