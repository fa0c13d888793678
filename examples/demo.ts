// `npm run demo`: runs every example on one engine over ./weft-demo.db and prints what happened.
// `node examples/dist/demo.js 03` runs only the examples whose folder starts with "03".
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createEngine, type Engine, type InstanceStatusName } from "weft";
import { retriesWorkflows, runRetriesExample } from "./01-retries/workflow.js";
import { runSleepExample, sleepWorkflows } from "./02-sleep/workflow.js";
import { runWaitForEventExample, waitForEventWorkflows } from "./03-wait-for-event/workflow.js";
import { fanOutWorkflows, runFanOutExample } from "./04-fan-out/workflow.js";
import { childWorkflowWorkflows, runChildWorkflowExample } from "./05-child-workflow/workflow.js";
import { formatRun, type InstanceRun } from "./shared/report.js";

/** How one instance of an example must end; `output` lists only the fields worth checking. */
interface Expected {
	status: InstanceStatusName;
	errorName?: string;
	output?: Record<string, unknown>;
}

interface Example {
	folder: string;
	title: string;
	run(engine: Engine): Promise<InstanceRun[]>;
	expected: Expected[];
}

const EXAMPLES: Example[] = [
	{
		folder: "01-retries",
		title: "retries, a caught step error, NonRetryableError",
		run: runRetriesExample,
		expected: [
			{ status: "complete", output: { fetchAttempts: 3, enrichment: "skipped: geo service unavailable" } },
			{ status: "errored", errorName: "NonRetryableError" },
		],
	},
	{ folder: "02-sleep", title: "step.sleep and step.sleepUntil", run: (engine) => runSleepExample(engine), expected: [{ status: "complete" }] },
	{
		folder: "03-wait-for-event",
		title: "an approval event, and a wait that times out",
		run: runWaitForEventExample,
		expected: [
			{ status: "complete", output: { decision: "approved" } },
			{ status: "complete", output: { decision: "escalated", waitError: "WorkflowTimeoutError" } },
		],
	},
	{
		folder: "04-fan-out",
		title: "fan-out with Promise.all, then fan-in",
		run: runFanOutExample,
		expected: [{ status: "complete", output: { cheapest: { supplier: "globex", price: 11.9 } } }],
	},
	{
		folder: "05-child-workflow",
		title: "a parent that starts and polls a child workflow",
		run: runChildWorkflowExample,
		expected: [{ status: "complete" }, { status: "complete", output: { orderId: "ORD-7" } }],
	},
];

/** What is wrong with how the runs ended, or nothing. */
function problems(runs: InstanceRun[], expected: Expected[]): string[] {
	if (runs.length !== expected.length) return [`expected ${expected.length} instance(s), got ${runs.length}`];
	return runs.flatMap((run, i) => {
		const want = expected[i] as Expected;
		const { status, output, error } = run.status;
		const found: string[] = [];
		if (status !== want.status)
			found.push(`${run.label}: status is "${status}", expected "${want.status}"${error ? ` (${error.name}: ${error.message})` : ""}`);
		if (want.errorName !== undefined && error?.name !== want.errorName) found.push(`${run.label}: error is ${error?.name}, expected ${want.errorName}`);
		for (const [key, value] of Object.entries(want.output ?? {})) {
			const actual = (output as Record<string, unknown> | null | undefined)?.[key];
			if (!isDeepStrictEqual(actual, value)) found.push(`${run.label}: output.${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
		}
		return found;
	});
}

async function main(): Promise<number> {
	const only = process.argv[2];
	const selected = only ? EXAMPLES.filter((e) => e.folder.startsWith(only)) : EXAMPLES;
	if (selected.length === 0) {
		console.error(`No example folder starts with "${only}"; the examples are: ${EXAMPLES.map((e) => e.folder).join(", ")}`);
		return 1;
	}

	// A fresh database each time, so the account below shows only this run.
	const database = resolve("weft-demo.db");
	for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });

	const engineErrors: unknown[] = [];
	const engine = await createEngine({
		database,
		workflows: { ...retriesWorkflows, ...sleepWorkflows, ...waitForEventWorkflows, ...fanOutWorkflows, ...childWorkflowWorkflows },
		onError: (error, context) => {
			engineErrors.push(error);
			console.error(`[weft] ${context}:`, error);
		},
	});
	const failures: string[] = [];
	const started = Date.now();
	try {
		for (const example of selected) {
			console.log(`\n=== ${example.folder}: ${example.title}`);
			try {
				const runs = await example.run(engine);
				for (const run of runs) console.log(formatRun(run).join("\n"));
				failures.push(...problems(runs, example.expected).map((p) => `${example.folder}: ${p}`));
			} catch (error) {
				failures.push(`${example.folder}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
	} finally {
		await engine.close();
	}
	if (engineErrors.length > 0) failures.push(`the engine reported ${engineErrors.length} error(s) of its own (printed above)`);

	console.log(`\nDatabase: ${database}`);
	console.log(`Ran ${selected.length} example(s) in ${Date.now() - started} ms.`);
	if (failures.length > 0) {
		console.error(`\nFAILED: ${failures.length} example result(s) were not as expected:`);
		for (const f of failures) console.error(`  - ${f}`);
		return 1;
	}
	console.log("All examples ended as expected.");
	return 0;
}

process.exitCode = await main();
