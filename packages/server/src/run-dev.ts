// `weft dev`: runs the project's server in a child process (dev-child.ts) and restarts it when a
// project file it loaded changes. Instances live in the SQLite file, so a reload loses nothing:
// the old process finishes its running steps (up to shutdownGraceMs) and closes the file, and
// the new one takes every unfinished instance over. The port stays the same across reloads.
import { type ChildProcess, fork } from "node:child_process";
import { relative } from "node:path";
import { formatBanner } from "./banner.js";
import type { DevChildMessage } from "./dev-child.js";
import { FileWatcher } from "./file-watcher.js";
import type { ServeProjectOptions } from "./serve-project.js";
import { waitForSignal } from "./wait-for-signal.js";

export interface DevOptions extends Omit<ServeProjectOptions, "log"> {
	out?: (line: string) => void;
	/** Where failures are reported (default stderr). */
	err?: (line: string) => void;
	/** How long file events are gathered into one reload (default 150 ms). */
	debounceMs?: number;
}

/** Runs until SIGINT/SIGTERM; resolves with the exit code (1 when the first start fails). */
export async function runDev(options: DevOptions): Promise<number> {
	const { out = (line: string) => console.log(line), err = (line: string) => console.error(line), debounceMs = 150, ...serve } = options;
	const childEntry = new URL("./dev-child.js", import.meta.url);
	// Kept across reloads: the ports the first server process got (they may have been picked by the OS).
	let port = serve.port;
	let apiPort = serve.apiPort;
	let child: ChildProcess | null = null;
	let childExited: Promise<void> = Promise.resolve();
	let started = false;
	let stopping = false;
	let watched = new Set<string>();
	let pending: NodeJS.Timeout | null = null;
	let changed = new Set<string>();
	let reloads = Promise.resolve();

	let resolveFirst: (code: number | null) => void = () => {};
	const firstStart = new Promise<number | null>((r) => (resolveFirst = r));

	const watcher = new FileWatcher((file) => {
		if (stopping) return;
		changed.add(file);
		if (pending) clearTimeout(pending);
		pending = setTimeout(() => {
			pending = null;
			const files = [...changed].map((f) => relative(serve.cwd, f) || f);
			changed = new Set();
			reloads = reloads.then(() => reload(files));
		}, debounceMs);
	});

	function spawnChild(): void {
		const proc = fork(childEntry, [], {
			env: { ...process.env, WEFT_DEV_OPTIONS: JSON.stringify({ ...serve, port, apiPort }) },
			stdio: ["ignore", "inherit", "inherit", "ipc"],
		});
		child = proc;
		childExited = new Promise((resolve) =>
			proc.once("exit", (code, signal) => {
				if (child === proc) child = null;
				if (!stopping && !proc.killed && started)
					out(`weft: the server process stopped (${signal ?? `exit code ${code}`}); fix the cause and save a file to restart it`);
				resolve();
			}),
		);
		proc.on("message", (m: DevChildMessage) => {
			watched = m.type === "ready" ? new Set(m.files) : new Set([...watched, ...m.files]);
			watcher.set(watched);
			if (m.type === "ready") {
				if (m.worker) {
					port = m.worker.port;
					apiPort = m.port;
				} else port = m.port;
				if (!started) {
					started = true;
					out(
						formatBanner({
							mode: "dev",
							url: m.url,
							database: m.database,
							workflows: m.workflows,
							authenticated: m.authenticated,
							watching: watched.size,
							workerUrl: m.worker?.url ?? null,
							notices: m.notices,
						}),
					);
					resolveFirst(null);
				} else
					out(
						`weft: reloaded — ${m.workflows.length} workflow${m.workflows.length === 1 ? "" : "s"} at ${m.worker ? `${m.worker.url} (Worker), ` : ""}${m.url}`,
					);
			} else {
				err(`✘ [${m.code}] ${m.message}`);
				if (!started) resolveFirst(1);
				else err("weft: waiting for a change to try again");
			}
		});
	}

	async function stopChild(): Promise<void> {
		if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
		await childExited;
	}

	async function reload(files: string[]): Promise<void> {
		if (stopping) return;
		out(`weft: ${files.join(", ")} changed; reloading`);
		await stopChild();
		if (!stopping) spawnChild();
	}

	spawnChild();
	const signalled = waitForSignal("exit");
	const first = await Promise.race([firstStart, childExited.then(() => (started ? null : 1)), signalled.then(() => 0)]);
	if (first !== null) {
		stopping = true;
		watcher.close();
		await stopChild();
		return first;
	}
	const signal = await signalled;
	stopping = true;
	if (pending) clearTimeout(pending);
	watcher.close();
	out(`weft: ${signal}, stopping — running steps get a moment to finish (Ctrl+C again to quit now)`);
	await reloads;
	await stopChild();
	out("weft: stopped");
	return 0;
}
