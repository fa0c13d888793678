// `weft replay` (recorded histories, or a store's instances, against the project's code: the gate
// before a deploy), and `weft instances export | replay | fork` for one instance.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { InstanceStatusName } from "@weft/client";
import type { History, StepRequest } from "@weft/core";
import type { ProjectReplay } from "@weft/server";
import { type Command, Option } from "commander";
import { CliError, clientFor, examples, parseIntArg, parseJsonArg, print, printJson, resolveId, userCwd } from "./cli-context.js";
import { formatReplay, formatServedStep } from "./format-replay.js";
import { type FromStepFlags, fromStep, withFromStepOptions } from "./from-step.js";
import { paint } from "./style.js";

interface ReplayFlags {
	config?: string;
	database?: string;
	workflow?: string;
	status?: string;
	codeVersion?: string;
	sample?: string;
	seed?: string;
	json?: boolean;
}

export function registerReplayCommands(program: Command): void {
	program
		.command("replay [paths...]")
		.description("Replay recorded histories (files or folders of .json) or a store's instances against this project's code; exits 1 if any diverges")
		.option("--config <path>", "config file (default: weft.config.{ts,mts,js,mjs,json} in this directory)")
		.addOption(new Option("--database <path|url>", "replay stored instances from this SQLite file (read-only) or PostgreSQL URL"))
		.option("--workflow <name>", "with --database: the workflow whose instances to replay")
		.option("--status <status>", "with --database: only instances with this status")
		.option("--code-version <version>", "with --database: only instances created by this version of the code")
		.option("--sample <n>", "with --database: replay this many instances picked at random")
		.option("--seed <n>", "with --sample: the sampling seed (default 1)")
		.option("--json", "print one JSON result per history")
		.addHelpText(
			"after",
			examples(
				"weft replay histories/                                  # the CI gate: golden histories against new code",
				"weft replay --database .weft/weft.db --workflow checkout --status complete --sample 500",
				"weft replay --database postgres://weft@db:5432/app --workflow checkout",
			),
		)
		.action(async (paths: string[], flags: ReplayFlags) => {
			const server = await import("@weft/server");
			const cwd = userCwd();
			const loaded = await server.loadConfig({ cwd, ...(flags.config ? { configPath: flags.config } : {}) });
			let results: AsyncGenerator<ProjectReplay>;
			if (flags.database) {
				if (paths.length > 0) throw new CliError("give history files or --database, not both");
				if (!flags.workflow) throw new CliError("--database needs --workflow <name>: the workflow whose instances to replay");
				const database = /^[a-z]+:\/\//i.test(flags.database) ? flags.database : resolve(cwd, flags.database);
				results = server.replayStored(loaded, {
					database,
					workflow: flags.workflow,
					status: flags.status as InstanceStatusName | undefined,
					version: flags.codeVersion,
					sample: flags.sample === undefined ? undefined : parseIntArg(flags.sample, "--sample"),
					seed: flags.seed === undefined ? undefined : parseIntArg(flags.seed, "--seed"),
				});
			} else {
				if (paths.length === 0) throw new CliError("name history files or folders to replay, or use --database <path|url> --workflow <name>");
				if (flags.workflow || flags.status || flags.sample || flags.codeVersion)
					throw new CliError("--workflow, --status, --code-version and --sample go with --database");
				results = server.replayFiles(loaded, server.historyFiles(paths.map((p) => resolve(cwd, p))));
			}
			const tally = { matched: 0, waiting: 0, diverged: 0, failed: 0 };
			const started = performance.now();
			for await (const r of results) {
				const kind = !r.result ? "failed" : r.result.divergence ? "diverged" : r.result.status === "waiting" ? "waiting" : "matched";
				tally[kind]++;
				if (flags.json) print(JSON.stringify(r));
				else if (kind !== "matched" || process.stdout.isTTY) print(formatReplay(r, paint));
			}
			const total = tally.matched + tally.waiting + tally.diverged + tally.failed;
			const seconds = (performance.now() - started) / 1000;
			if (!flags.json)
				print(
					`${total} ${total === 1 ? "history" : "histories"} replayed in ${seconds.toFixed(1)} s: ${tally.matched} matched, ${tally.waiting} still running (matched so far), ${tally.diverged} diverged, ${tally.failed} could not be replayed`,
				);
			if (total === 0) throw new CliError("no histories found to replay");
			if (tally.diverged > 0 || tally.failed > 0) process.exitCode = 1;
		});
}

export function registerInstanceReplayCommands(instances: Command): void {
	instances
		.command("export <workflow> <id>")
		.description("Write an instance's history (its journal as one versioned JSON document) to a file or stdout")
		.option("-o, --output <file>", "write to this file instead of stdout")
		.addHelpText("after", examples("weft instances export checkout order-7 -o histories/order-7.json", "weft instances export checkout latest | jq .entries"))
		.action(async (workflow: string, id: string, flags: { output?: string }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const history = await (await remote.get(await resolveId(remote, id))).history();
			if (!flags.output) return printJson(history);
			const file = resolve(userCwd(), flags.output);
			mkdirSync(dirname(file), { recursive: true });
			writeFileSync(file, `${JSON.stringify(history, null, 2)}\n`);
			print(`📜 history of "${history.instanceId}" (${history.entries.length} journal entries) written to ${file}`);
		});

	withFromStepOptions(
		instances
			.command("fork <workflow> <id>")
			.description("Start a new instance from this one's params (or new ones) and its journal before a step; the original is untouched"),
		"fork",
	)
		.option("--params <json>", "the fork's params (default: the original's)")
		.option("--id <id>", "the fork's id (default: a new one)")
		.option("--json", "print JSON ({ id, workflow, status })")
		.addHelpText(
			"after",
			examples(
				"weft instances fork checkout order-7 --from-step charge --params '{\"amount\":12}'",
				"weft instances fork checkout order-7   # a re-run with the same params",
			),
		)
		.action(async (workflow: string, id: string, flags: FromStepFlags & { params?: string; id?: string; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const original = await remote.get(await resolveId(remote, id));
			const from = fromStep(flags);
			const fork = await original.fork({
				...(from ? { from } : {}),
				...(flags.params !== undefined ? { params: parseJsonArg(flags.params, "--params") } : {}),
				...(flags.id ? { id: flags.id } : {}),
			});
			if (flags.json) return printJson({ id: fork.id, workflow, status: "queued" });
			print(`🍴 instance "${fork.id}" of "${workflow}" forked from "${original.id}"${from ? ` before step "${from.name}"` : ""}; it is queued`);
		});

	instances
		.command("replay <workflow> <id>")
		.description("Replay one instance's history against this project's code, step by step: what the journal served, and what would run next")
		.option("--config <path>", "config file (default: weft.config.{ts,mts,js,mjs,json} in this directory)")
		.option("--verbose", "print each step's value and what code outside steps logged")
		.option("--json", "print the replay result as JSON")
		.addHelpText("after", examples("weft instances replay checkout order-7 --verbose"))
		.action(async (workflow: string, id: string, flags: { config?: string; verbose?: boolean; json?: boolean }, command: Command) => {
			const remote = clientFor(command).workflow(workflow);
			const history = await (await remote.get(await resolveId(remote, id))).history();
			const server = await import("@weft/server");
			const loaded = await server.loadConfig({ cwd: userCwd(), ...(flags.config ? { configPath: flags.config } : {}) });
			const lines: string[] = [];
			// During a replay no step body runs: whatever the workflow logs comes from code outside steps.
			const restore = flags.verbose ? captureConsole((line) => lines.push(paint("dim", `   log: ${line}`))) : () => {};
			let r: ProjectReplay;
			try {
				r = await server.replayOne(loaded, `${workflow}/${history.instanceId}`, history as History, {
					onServed: (step: StepRequest, h: History) => lines.push(formatServedStep(step, h, flags.verbose === true)),
				});
			} finally {
				restore();
			}
			if (flags.json) return printJson(r);
			for (const line of lines) print(line);
			print(formatReplay(r, paint));
			if (!r.result || r.result.divergence) process.exitCode = 1;
		});
}

/** Sends console output to `sink` until the returned function is called. */
function captureConsole(sink: (line: string) => void): () => void {
	const methods = ["log", "info", "warn", "error", "debug"] as const;
	const saved = methods.map((m) => console[m]);
	for (const m of methods) console[m] = (...args: unknown[]) => sink(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
	return () => {
		methods.forEach((m, i) => {
			console[m] = saved[i] as (typeof console)[typeof m];
		});
	};
}
