// The child process of crash.test.mjs: opens an engine on a SQLite file and runs a chained,
// multi-step workflow on many instances, until the parent SIGKILLs it (or, with --final, until
// every instance has finished, when it writes a summary and exits by itself).
//
//   node crash-worker.mjs --dir <dir> [--instances 200] [--steps 5] [--concurrency 16] [--create] [--final]
//
// It talks to the parent through stdout, one line per fact:
//   created <n>        every instance exists (printed once the create calls have returned)
//   S <id> <k>         step k's body started
//   C <id> <k>         the workflow code received step k's result (printed again on every replay)
//   statuses <json>    --final: how many instances are in each status, whenever that changes
//   done <file>        --final: every instance has finished; the summary is in <file>
// and through <dir>/bodies.log, appended with fs.appendFileSync so that it survives SIGKILL:
//   {"t":"run",...}        run() was entered (once per activation)
//   {"t":"start",...}      a step body started (id, step, count, attempt, nonce, pid)
//   {"t":"violation",...}  a step body started although its step was already committed
//   {"t":"end",...}        a step body returned its output (which may not be committed yet)
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The running checksum each step folds its nonce into; the test recomputes it from the committed outputs. */
export function chain(id, k, previousChecksum, nonce) {
	return createHash("sha256").update(`${id}|${k}|${previousChecksum}|${nonce}`).digest("hex").slice(0, 16);
}

/** The seed of an instance's chain (its params), derived from its id. */
export function seedOf(id) {
	return createHash("sha256").update(id).digest("hex").slice(0, 16);
}

/** The instance ids the worker creates and the test expects. */
export function instanceIds(count) {
	return Array.from({ length: count }, (_, i) => `crash-${String(i).padStart(4, "0")}`);
}

// `node --test test/` runs every .mjs under test/ as a test file, this one included: without
// --dir (and when imported by the test for the helpers above) it does nothing.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href && process.argv.includes("--dir")) await main();

async function main() {
	const { values: args } = parseArgs({
		options: {
			dir: { type: "string" },
			instances: { type: "string", default: "200" },
			steps: { type: "string", default: "5" },
			concurrency: { type: "string", default: "16" },
			create: { type: "boolean", default: false },
			final: { type: "boolean", default: false },
		},
	});
	const { createEngine, WorkflowEntrypoint } = await import("weft");
	const LOG = join(args.dir, "bodies.log");
	const STEPS = Number(args.steps);
	const pid = process.pid;
	const log = (record) => appendFileSync(LOG, `${JSON.stringify({ ...record, pid })}\n`);
	const say = (line) => process.stdout.write(`${line}\n`);
	// No retries: a step body that throws errors its instance at once, which the test reports.
	const STEP_CONFIG = { retries: { limit: 0, delay: 0 } };

	class CrashWorkflow extends WorkflowEntrypoint {
		async run(event, step) {
			const id = event.instanceId;
			log({ t: "run", id });
			let previous = { k: 0, nonce: null, checksum: event.payload.seed };
			const outputs = [];
			for (let k = 1; k <= STEPS; k++) {
				const input = previous;
				const name = `s${k}`;
				previous = await step.do(name, STEP_CONFIG, async (ctx) => {
					const nonce = randomBytes(8).toString("hex");
					log({ t: "start", id, step: name, count: ctx.step.count, attempt: ctx.attempt, nonce });
					say(`S ${id} ${k}`);
					// Is this very step already committed? Then the engine is re-running a settled body.
					const details = await (await this.env.CRASH.get(id)).details();
					const settled = details.steps.find((s) => s.type === "step" && s.name === name && s.count === ctx.step.count && s.success === true);
					if (settled) log({ t: "violation", id, step: name, count: ctx.step.count, attempt: ctx.attempt, nonce, committed: settled.output });
					await sleep(1 + Math.floor(Math.random() * 5));
					const output = { k, nonce, input: { k: input.k, nonce: input.nonce, checksum: input.checksum }, checksum: chain(id, k, input.checksum, nonce) };
					log({ t: "end", id, step: name, count: ctx.step.count, attempt: ctx.attempt, nonce });
					return output;
				});
				say(`C ${id} ${k}`);
				outputs.push(previous);
			}
			return { id, checksum: previous.checksum, outputs };
		}
	}

	const engine = await createEngine({
		database: join(args.dir, "crash.db"),
		workflows: { CRASH: { name: "crash", class: CrashWorkflow } },
		maxActivations: Number(args.concurrency),
		onError: (e, context) => process.stderr.write(`ENGINE_ERROR ${context}: ${e?.stack ?? e}\n`),
	});
	const binding = engine.bindings.CRASH;
	const ids = instanceIds(Number(args.instances));

	if (args.create) {
		for (let i = 0; i < ids.length; i += 100) {
			const { errors } = await binding.createBatch({ instances: ids.slice(i, i + 100).map((id) => ({ id, params: { seed: seedOf(id) } })) });
			if (errors.length) throw new Error(`createBatch failed: ${JSON.stringify(errors)}`);
		}
		say(`created ${ids.length}`);
	}

	if (args.final) {
		// Poll the bindings until every instance has finished (a lost one counts as "missing"), then describe them all.
		const handleOf = (id) => binding.get(id).catch((e) => (e?.message?.includes("not_found") ? null : Promise.reject(e)));
		const finished = new Set(["complete", "errored", "terminated", "missing"]);
		let reported = "";
		for (;;) {
			const statuses = await Promise.all(ids.map(async (id) => (await (await handleOf(id))?.status())?.status ?? "missing"));
			const counts = {};
			for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
			const line = `statuses ${JSON.stringify(counts)}`;
			if (line !== reported) say(line);
			reported = line;
			if (statuses.every((s) => finished.has(s))) break;
			await sleep(20);
		}
		const instances = [];
		for (const id of ids) {
			const handle = await handleOf(id);
			if (!handle) {
				instances.push({ id, status: "missing", output: null, error: null, params: null, steps: [] });
				continue;
			}
			const status = await handle.status();
			const details = await handle.details();
			instances.push({
				id,
				status: status.status,
				output: status.output ?? null,
				error: status.error ?? null,
				params: details.params,
				steps: details.steps.map((s) => ({ type: s.type, name: s.name, count: s.count, success: s.success, output: s.output, attempts: s.attempts?.length })),
			});
		}
		const file = join(args.dir, "summary.json");
		writeFileSync(file, JSON.stringify({ pid, alwaysReplay: process.env.WEFT_ALWAYS_REPLAY === "1", instances }));
		await engine.close();
		say(`done ${file}`);
	}
}
