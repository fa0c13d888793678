// Every example's workflows and its driver, for recording golden histories and replaying them.
import type { Engine } from "weft";
import { retriesWorkflows, runRetriesExample } from "../01-retries/workflow.js";
import { runSleepExample, sleepWorkflows } from "../02-sleep/workflow.js";
import { runWaitForEventExample, waitForEventWorkflows } from "../03-wait-for-event/workflow.js";
import { fanOutWorkflows, runFanOutExample } from "../04-fan-out/workflow.js";
import { childWorkflowWorkflows, runChildWorkflowExample } from "../05-child-workflow/workflow.js";
import type { InstanceRun } from "../shared/report.js";

export const EXAMPLE_WORKFLOWS = {
	...retriesWorkflows,
	...sleepWorkflows,
	...waitForEventWorkflows,
	...fanOutWorkflows,
	...childWorkflowWorkflows,
};

export const EXAMPLE_DRIVERS: ((engine: Engine) => Promise<InstanceRun[]>)[] = [
	runRetriesExample,
	(engine) => runSleepExample(engine),
	runWaitForEventExample,
	runFanOutExample,
	runChildWorkflowExample,
];

/** The class of each workflow, by workflow name. */
export const CLASS_BY_WORKFLOW = new Map(Object.values(EXAMPLE_WORKFLOWS).map((w) => [w.name, w.class]));
