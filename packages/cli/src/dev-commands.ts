// `weft dev`, `weft start` and `weft worker`. The server package (Hono, tsx, SQLite, pg) is
// imported only here, so the commands that talk to a server start quickly.
import { type Command, Option } from "commander";
import { examples, type GlobalOptions, parseIntArg, userCwd } from "./cli-context.js";

interface ServeFlags {
	port?: string;
	apiPort?: string;
	database?: string;
	host?: string;
	config?: string;
	leaseMs?: string;
}

interface WorkerFlags {
	database?: string;
	config?: string;
	leaseMs?: string;
	pollMs?: string;
	poolSize?: string;
	maxActivations?: string;
}

const DATABASE_HELP = "SQLite file or postgres://user@host:5432/db[?schema=NAME] (default: config, else .weft/weft.db)";
const CONFIG_HELP = "config file (default: weft.config.{ts,mts,js,mjs,json}, else wrangler.{jsonc,json,toml}, in this directory)";
const API_PORT_HELP = "in a Cloudflare project (wrangler.jsonc), the port of Weft's API (default: the Worker's port + 1)";
const LEASE_HELP = "how long a claim holds an instance without renewal, in ms (default: config, else 30000)";
const intFlag = (value: string | undefined, name: string) => (value === undefined ? undefined : parseIntArg(value, name));

function serveOptions(flags: ServeFlags, command: Command) {
	const { token } = command.optsWithGlobals<GlobalOptions>();
	return {
		cwd: userCwd(),
		configPath: flags.config,
		port: flags.port === undefined ? undefined : parseIntArg(flags.port, "--port"),
		apiPort: intFlag(flags.apiPort, "--api-port"),
		database: flags.database,
		host: flags.host,
		token,
		leaseMs: intFlag(flags.leaseMs, "--lease-ms"),
	};
}

export function registerDevCommands(program: Command): void {
	program
		.command("dev")
		.description("Run your workflows locally: engine + HTTP API on a SQLite file (or a shared PostgreSQL database), reloading workflow code on change")
		.option("--port <n>", "port to listen on (default: config, else 8787; 0 picks a free one); in a Cloudflare project, the Worker's port")
		.option("--api-port <n>", API_PORT_HELP)
		.addOption(new Option("--database <path|url>", DATABASE_HELP).env("WEFT_DATABASE"))
		.option("--host <address>", "address to listen on (default 127.0.0.1; any other needs a token)")
		.option("--config <path>", CONFIG_HELP)
		.option("--lease-ms <n>", LEASE_HELP)
		.addHelpText("after", examples("weft dev", "weft dev --port 9000 --database ./dev.db", "WEFT_TOKEN=s3cret weft dev --host 0.0.0.0"))
		.action(async (flags: ServeFlags, command: Command) => {
			const { runDev } = await import("@weft/server");
			process.exitCode = await runDev(serveOptions(flags, command));
		});

	program
		.command("start")
		.description("Run your workflows in production: like dev, without reloading; stops gracefully on SIGINT/SIGTERM")
		.option("--port <n>", "port to listen on (default: config, else 8787); in a Cloudflare project, the Worker's port")
		.option("--api-port <n>", API_PORT_HELP)
		.addOption(new Option("--database <path|url>", DATABASE_HELP).env("WEFT_DATABASE"))
		.option("--host <address>", "address to listen on (default 127.0.0.1; any other needs a token)")
		.option("--config <path>", CONFIG_HELP)
		.option("--lease-ms <n>", LEASE_HELP)
		.addHelpText(
			"after",
			examples(
				"weft start",
				"WEFT_TOKEN=s3cret weft start --host 0.0.0.0 --port 8787",
				"weft start --database postgres://weft@db.internal:5432/app   # API + engine, sharing the work with weft worker processes",
			),
		)
		.action(async (flags: ServeFlags, command: Command) => {
			const { runStart } = await import("@weft/server");
			await runStart(serveOptions(flags, command));
		});

	program
		.command("worker")
		.description("Claim and run instances from a shared PostgreSQL database, without an HTTP API; run as many as you like, on any hosts")
		.addOption(new Option("--database <url>", "postgres://user@host:5432/db[?schema=NAME] (default: the config's database)").env("WEFT_DATABASE"))
		.option("--config <path>", CONFIG_HELP)
		.option("--lease-ms <n>", LEASE_HELP)
		.option("--poll-ms <n>", "how often to look for due work no notification announced, in ms (default: config, else 1000)")
		.option("--pool-size <n>", "database connections in this process's pool (default: config, else 10; LISTEN uses one more)")
		.option("--max-activations <n>", "instances running at once in this process (default: config, else 1000)")
		.addHelpText(
			"after",
			examples("weft worker --database postgres://weft@db.internal:5432/app", "WEFT_DATABASE=postgres://weft@db.internal:5432/app weft worker --pool-size 4"),
		)
		.action(async (flags: WorkerFlags) => {
			const { runWorker } = await import("@weft/server");
			await runWorker({
				cwd: userCwd(),
				configPath: flags.config,
				database: flags.database,
				leaseMs: intFlag(flags.leaseMs, "--lease-ms"),
				pollMs: intFlag(flags.pollMs, "--poll-ms"),
				poolSize: intFlag(flags.poolSize, "--pool-size"),
				maxActivations: intFlag(flags.maxActivations, "--max-activations"),
			});
		});
}
