// `weft dev` and `weft start`. The server package (Hono, tsx, SQLite) is imported only here, so
// the commands that talk to a server start quickly.
import type { Command } from "commander";
import { examples, type GlobalOptions, parseIntArg, userCwd } from "./cli-context.js";

interface ServeFlags {
	port?: string;
	database?: string;
	host?: string;
	config?: string;
}

function serveOptions(flags: ServeFlags, command: Command) {
	const { token } = command.optsWithGlobals<GlobalOptions>();
	return {
		cwd: userCwd(),
		configPath: flags.config,
		port: flags.port === undefined ? undefined : parseIntArg(flags.port, "--port"),
		database: flags.database,
		host: flags.host,
		token,
	};
}

export function registerDevCommands(program: Command): void {
	program
		.command("dev")
		.description("Run your workflows locally: engine + HTTP API on one SQLite file, reloading workflow code on change")
		.option("--port <n>", "port to listen on (default: config, else 8787; 0 picks a free one)")
		.option("--database <path>", "SQLite file (default: config, else .weft/weft.db)")
		.option("--host <address>", "address to listen on (default 127.0.0.1; any other needs a token)")
		.option("--config <path>", "config file (default: weft.config.{ts,mts,js,mjs,json} in this directory)")
		.addHelpText("after", examples("weft dev", "weft dev --port 9000 --database ./dev.db", "WEFT_TOKEN=s3cret weft dev --host 0.0.0.0"))
		.action(async (flags: ServeFlags, command: Command) => {
			const { runDev } = await import("@weft/server");
			process.exitCode = await runDev(serveOptions(flags, command));
		});

	program
		.command("start")
		.description("Run your workflows in production: like dev, without reloading; stops gracefully on SIGINT/SIGTERM")
		.option("--port <n>", "port to listen on (default: config, else 8787)")
		.option("--database <path>", "SQLite file (default: config, else .weft/weft.db)")
		.option("--host <address>", "address to listen on (default 127.0.0.1; any other needs a token)")
		.option("--config <path>", "config file (default: weft.config.{ts,mts,js,mjs,json} in this directory)")
		.addHelpText("after", examples("weft start", "WEFT_TOKEN=s3cret weft start --host 0.0.0.0 --port 8787"))
		.action(async (flags: ServeFlags, command: Command) => {
			const { runStart } = await import("@weft/server");
			await runStart(serveOptions(flags, command));
		});
}
