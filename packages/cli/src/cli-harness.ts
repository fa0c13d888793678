// Test support: runs the `weft` binary as a user would (node dist/bin.js …) and collects its
// output; long-running ones (dev, tail) are tracked so after-hooks can kill whatever is left.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("./bin.js", import.meta.url));
export const HELLO_PROJECT = fileURLToPath(new URL("../fixtures/hello-project/", import.meta.url));

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

const live = new Set<ChildProcess>();

/** The environment a user's shell would give, without Weft settings leaking in from ours. */
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
	const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
	for (const k of ["WEFT_URL", "WEFT_TOKEN", "WEFT_DATABASE", "npm_command", "INIT_CWD"]) delete base[k];
	return { ...base, ...env };
}

export function startCli(
	args: string[],
	options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): ChildProcess & { output(): CliResult; exited: Promise<CliResult> } {
	const child = spawn(process.execPath, [BIN, ...args], {
		cwd: options.cwd ?? process.cwd(),
		env: cleanEnv(options.env ?? {}),
		stdio: ["ignore", "pipe", "pipe"],
	});
	live.add(child);
	let stdout = "";
	let stderr = "";
	child.stdout?.on("data", (d) => (stdout += d));
	child.stderr?.on("data", (d) => (stderr += d));
	const output = () => ({ code: child.exitCode, stdout, stderr });
	const exited = new Promise<CliResult>((resolve) =>
		child.on("close", (code) => {
			live.delete(child);
			resolve({ code, stdout, stderr });
		}),
	);
	return Object.assign(child, { output, exited });
}

/** Runs the CLI to its end. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
	return startCli(args, options).exited;
}

/** Waits until the process has printed something matching `pattern` on stdout (or stderr), failing if it exits first. */
export async function waitForOutput(
	child: ReturnType<typeof startCli>,
	pattern: RegExp,
	options: { stream?: "stdout" | "stderr"; timeoutMs?: number } = {},
): Promise<RegExpMatchArray> {
	const deadline = Date.now() + (options.timeoutMs ?? 20_000);
	for (;;) {
		const { stdout, stderr, code } = child.output();
		const m = pattern.exec(options.stream === "stderr" ? stderr : stdout);
		if (m) return m;
		if (code !== null || child.signalCode !== null)
			throw new Error(`the process exited (${code ?? child.signalCode}) before printing ${pattern}:\n${stdout}\n${stderr}`);
		if (Date.now() > deadline) throw new Error(`no ${pattern} in time:\n${stdout}\n${stderr}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

/** Kills every CLI process a test left running (after hooks). */
export async function killAll(): Promise<void> {
	await Promise.all(
		[...live].map(
			(c) =>
				new Promise<void>((resolve) => {
					c.once("close", () => resolve());
					c.kill("SIGKILL");
				}),
		),
	);
}
