// `node examples/dist/09-burst/run-burst.js [--count N]`: the whole burst with the real `weft`
// binary — write N lines of params, start `weft start` on this folder's config, create every
// task with `weft workflows trigger burst-task --batch`, then watch the queue drain — and print
// what it took: time to enqueue, drain rate, peak concurrency, the server's peak memory.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WeftClient } from "@weft/client";
import { writeParamsFile } from "./params-file.js";
import type { Peak } from "./workflow.js";

export interface BurstSummary {
	count: number;
	limit: number;
	created: number;
	complete: number;
	errored: number;
	enqueueMs: number;
	/** From the first instance created to the last one finished. */
	drainMs: number;
	/** Instances finished per second over the whole run (first create to last finish). */
	drainPerSecond: number;
	/** The most instances `running` at once in any sample of the API's counts. */
	maxRunningSeen: number;
	/** The most task bodies running at once, as the server's own process counted them. */
	peak: Peak;
	/** The `weft start` process's resident memory at its highest (VmHWM), in bytes. */
	serverPeakRssBytes: number | null;
}

const LIMIT = 50;
const WEFT_BIN = fileURLToPath(new URL("../bin/weft.js", import.meta.resolve("@weft/cli")));

/** The folder with weft.config.ts: beside this file when run from source, else the example's source folder. */
function projectDir(): string {
	const here = fileURLToPath(new URL(".", import.meta.url));
	return existsSync(join(here, "weft.config.ts")) ? here : fileURLToPath(new URL("../../09-burst/", import.meta.url));
}

function peakRss(pid: number | undefined): number | null {
	try {
		const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
		return kb ? Number(kb) * 1024 : null;
	} catch {
		return null; // not Linux, or the process is gone
	}
}

function waitForUrl(server: ChildProcess): Promise<string> {
	return new Promise((resolveUrl, reject) => {
		let out = "";
		const timer = setTimeout(() => reject(new Error(`weft start printed no URL within 60 s:\n${out}`)), 60_000);
		const onData = (d: Buffer) => {
			out += d;
			const url = /(http:\/\/127\.0\.0\.1:\d+)\/api\/workflows/.exec(out)?.[1];
			if (url) {
				clearTimeout(timer);
				resolveUrl(url);
			}
		};
		server.stdout?.on("data", onData);
		server.stderr?.on("data", onData);
		server.once("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`weft start exited (${code}) before serving:\n${out}`));
		});
	});
}

function exited(child: ChildProcess): Promise<number | null> {
	return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once("exit", (code) => r(code)));
}

export async function runBurst(options: { count: number; dir: string; log?: (line: string) => void; showProgress?: boolean }): Promise<BurstSummary> {
	const log = options.log ?? ((line: string) => console.error(line));
	mkdirSync(options.dir, { recursive: true });
	const paramsFile = join(options.dir, `params-${options.count}.jsonl`);
	await writeParamsFile(paramsFile, options.count);
	log(`wrote ${options.count.toLocaleString("en-US")} lines of params to ${paramsFile}`);

	const env = { ...process.env, NO_COLOR: "1", WEFT_URL: undefined, WEFT_TOKEN: undefined, WEFT_DATABASE: undefined };
	const server = spawn(process.execPath, [WEFT_BIN, "start", "--port", "0", "--database", join(options.dir, "weft.db")], {
		cwd: projectDir(),
		env,
		stdio: ["ignore", "pipe", "pipe"],
	});
	try {
		const url = await waitForUrl(server);
		log(`weft start on ${url} (dashboard: ${url}/)`);
		const client = new WeftClient({ url });
		const tasks = client.workflow("burst-task");

		const startedAt = Date.now();
		const trigger = spawn(process.execPath, [WEFT_BIN, "workflows", "trigger", "burst-task", "--batch", paramsFile, "--url", url], {
			env,
			stdio: ["ignore", "pipe", options.showProgress ? "inherit" : "pipe"],
		});
		let triggerOut = "";
		trigger.stdout?.on("data", (d) => (triggerOut += d));
		trigger.stderr?.on("data", (d) => (triggerOut += d));
		const triggerCode = await exited(trigger);
		const enqueueMs = Date.now() - startedAt;
		if (triggerCode !== 0) throw new Error(`weft workflows trigger exited ${triggerCode}:\n${triggerOut}`);
		const created = Number(/Created (\d+) of/.exec(triggerOut)?.[1] ?? Number.NaN);
		log(`enqueued ${created.toLocaleString("en-US")} in ${(enqueueMs / 1000).toFixed(1)} s`);

		// Watch the queue fall, as the dashboard's overview does.
		let maxRunningSeen = 0;
		let last = { at: Date.now(), done: 0 };
		for (;;) {
			const { instances } = await tasks.describe();
			const done = (instances.complete ?? 0) + (instances.errored ?? 0) + (instances.terminated ?? 0);
			maxRunningSeen = Math.max(maxRunningSeen, instances.running ?? 0);
			const now = Date.now();
			const rate = ((done - last.done) * 1000) / Math.max(1, now - last.at);
			last = { at: now, done };
			log(
				`queued ${(instances.queued ?? 0).toLocaleString("en-US")} · running ${instances.running ?? 0} · finished ${done.toLocaleString("en-US")} · ${Math.round(rate).toLocaleString("en-US")}/s`,
			);
			if (done >= options.count) break;
			if (server.exitCode !== null) throw new Error(`weft start exited (${server.exitCode}) during the drain`);
			await new Promise((r) => setTimeout(r, 1000));
		}
		const drainMs = Date.now() - startedAt;
		const { instances } = await tasks.describe();

		const report = await client.workflow("peak-report").create();
		let status = await report.status();
		while (status.status !== "complete" && status.status !== "errored") {
			await new Promise((r) => setTimeout(r, 20));
			status = await report.status();
		}
		return {
			count: options.count,
			limit: LIMIT,
			created,
			complete: instances.complete ?? 0,
			errored: instances.errored ?? 0,
			enqueueMs,
			drainMs,
			drainPerSecond: Math.round((options.count * 1000) / drainMs),
			maxRunningSeen,
			peak: status.output as Peak,
			serverPeakRssBytes: peakRss(server.pid),
		};
	} finally {
		if (server.exitCode === null) {
			server.kill("SIGTERM");
			await exited(server);
		}
	}
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { count: { type: "string" }, dir: { type: "string" }, json: { type: "boolean" } } });
	const count = Number(values.count ?? 100_000);
	if (!Number.isInteger(count) || count < 1 || count > 10_000_000)
		throw new Error(`--count must be a whole number from 1 to 10,000,000, not "${values.count}"`);
	const summary = await runBurst({ count, dir: resolve(values.dir ?? "burst-demo"), showProgress: !values.json });
	if (values.json) console.log(JSON.stringify(summary));
	else {
		const mib = summary.serverPeakRssBytes === null ? "n/a" : `${Math.round(summary.serverPeakRssBytes / 2 ** 20)} MiB`;
		console.log(`${summary.complete.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} complete (${summary.errored} errored)
  enqueue         ${(summary.enqueueMs / 1000).toFixed(1)} s (${Math.round((count * 1000) / summary.enqueueMs).toLocaleString("en-US")}/s)
  create → drained ${(summary.drainMs / 1000).toFixed(1)} s (${summary.drainPerSecond.toLocaleString("en-US")}/s)
  concurrency     at most ${summary.peak.max} task bodies at once (limit ${summary.limit}); at most ${summary.maxRunningSeen} running in the API's samples
  server memory   peak RSS ${mib}`);
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
	main().catch((e: unknown) => {
		console.error(`run-burst: ${(e as Error).message}`);
		process.exitCode = 1;
	});
}
