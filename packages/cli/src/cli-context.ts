// What every command needs: the client built from --url/--token (or WEFT_URL/WEFT_TOKEN), output
// helpers, and `latest` resolved to an instance id.
import { type RemoteWorkflow, WeftClient } from "@weft/client";
import type { Command } from "commander";

export const DEFAULT_URL = "http://127.0.0.1:8787";

export interface GlobalOptions {
	url: string;
	token?: string;
}

export function clientFor(command: Command): WeftClient {
	const { url, token } = command.optsWithGlobals<GlobalOptions>();
	return new WeftClient({ url: url || DEFAULT_URL, token });
}

/**
 * The directory the user ran the command in. `npx weft` inside an npm workspace runs the bin
 * with the working directory moved to the workspace package's root; npm keeps the user's
 * directory in INIT_CWD, so under `npm exec` that is where the project and relative paths are.
 */
export function userCwd(): string {
	return process.env.npm_command === "exec" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

export function printJson(value: unknown): void {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
	process.stdout.write(`${text}\n`);
}

/** An instance id, with `latest` meaning the most recently created instance, as in wrangler. */
export async function resolveId(workflow: RemoteWorkflow, id: string): Promise<string> {
	if (id !== "latest") return id;
	const page = await workflow.list({ limit: 1 });
	const newest = page.instances[0];
	if (!newest) throw new CliError(`workflow "${workflow.name}" has no instances yet`);
	return newest.id;
}

/** A failure the CLI reports in one line (exit code 1), without a stack. */
export class CliError extends Error {
	override name = "CliError";
	readonly code = "cli.invalid_input";
}

/** Parses a JSON argument, naming the option in the error. */
export function parseJsonArg(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new CliError(`${what} is not valid JSON (${(e as Error).message}); quote it for your shell, e.g. '{"name":"Ada"}'`);
	}
}

export function parseIntArg(text: string, what: string): number {
	const n = Number(text);
	if (!Number.isInteger(n) || n < 0) throw new CliError(`${what} must be a whole number, not ${JSON.stringify(text)}`);
	return n;
}

/** Help text after a command's own: a few examples. */
export function examples(...lines: string[]): string {
	return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}
