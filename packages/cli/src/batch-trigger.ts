// `weft workflows trigger <name> --params-file f.jsonl`: one instance per line, created 100 at a
// time (the batch limit), waiting out 429s as Retry-After says, with a progress bar (rate, ETA)
// and a summary.
import { readFileSync } from "node:fs";
import { type RemoteWorkflow, WeftApiError } from "@weft/client";
import { CliError } from "./cli-context.js";
import { ProgressBar } from "./progress-bar.js";

const BATCH = 100;

export interface TriggerError {
	/** 0-based, among the file's non-blank lines. */
	index: number;
	code: string;
	message: string;
}

export interface BatchOutcome {
	created: string[];
	errors: TriggerError[];
}

/** Cloudflare's numeric batch codes, as the string codes the rest of Weft uses. */
const BATCH_CODES: Record<number, string> = { 10405: "instance.already_exists", 10415: "instance.duplicate_in_batch" };

/** Every non-blank line of the file parsed as JSON (the params of one instance); a bad line fails before anything is created. */
export function readParamsFile(path: string): unknown[] {
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	} catch (e) {
		throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
	}
	const params: unknown[] = [];
	text.split(/\r?\n/).forEach((line, i) => {
		if (line.trim() === "") return;
		try {
			params.push(JSON.parse(line));
		} catch (e) {
			throw new CliError(`${path}:${i + 1} is not valid JSON (${(e as Error).message}); each line must hold the params of one instance`);
		}
	});
	if (params.length === 0) throw new CliError(`${path} has no lines of params`);
	return params;
}

/** "12,345/s · ETA 1m 05s" from what is done after `ms` milliseconds. */
export function rateAndEta(done: number, total: number, ms: number): string {
	if (done === 0 || ms <= 0) return "";
	const perSecond = (done * 1000) / ms;
	const left = Math.ceil((total - done) / perSecond);
	const eta = left >= 60 ? `${Math.floor(left / 60)}m ${String(left % 60).padStart(2, "0")}s` : `${left}s`;
	return `${Math.round(perSecond).toLocaleString("en-US")}/s · ${done === total ? `done in ${(ms / 1000).toFixed(1)}s` : `ETA ${eta}`}`;
}

export async function triggerBatch(workflow: RemoteWorkflow, params: unknown[], options: { quiet?: boolean } = {}): Promise<BatchOutcome> {
	const bar = options.quiet ? null : new ProgressBar(params.length, `Creating ${workflow.name} instances`);
	const outcome: BatchOutcome = { created: [], errors: [] };
	const started = Date.now();
	// Into a file or a pipe every update is a line: one per 1% keeps a million-line run's log short.
	const every = process.stderr.isTTY ? BATCH : Math.max(BATCH, Math.ceil(params.length / 100));
	let shown = 0;
	bar?.update(0);
	for (let start = 0; start < params.length; ) {
		const chunk = params.slice(start, start + BATCH);
		try {
			const result = await workflow.createBatch({ instances: chunk.map((p) => ({ params: p })) });
			outcome.created.push(...result.created.map((i) => i.id));
			outcome.errors.push(...result.errors.map((e) => ({ index: e.index + start, code: BATCH_CODES[e.code] ?? String(e.code), message: e.message })));
		} catch (e) {
			if (e instanceof WeftApiError && e.code === "rate_limit.exceeded") {
				const seconds = e.retryAfterSeconds ?? 1;
				bar?.update(start, `(rate limited; waiting ${seconds} s)`);
				await new Promise((r) => setTimeout(r, seconds * 1000));
				continue;
			}
			// A batch refused as a whole for its content (params too large, …) fails those lines
			// only; no server, no auth or no such workflow fails the run.
			if (!(e instanceof WeftApiError) || e.status === 0 || e.status === 401 || e.status === 404 || e.status >= 500) {
				bar?.done();
				throw e;
			}
			outcome.errors.push(...chunk.map((_, j) => ({ index: start + j, code: e.code, message: e.message })));
		}
		start += chunk.length;
		if (start - shown >= every || start === params.length) {
			shown = start;
			bar?.update(start, rateAndEta(start, params.length, Date.now() - started));
		}
	}
	bar?.done();
	return outcome;
}
