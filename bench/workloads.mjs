// The benchmark workloads. Each takes { engineFor, size } and returns the figures it measured.
import { WorkflowEntrypoint } from "weft";

export class ThreeSteps extends WorkflowEntrypoint {
	async run(event, step) {
		const a = await step.do("one", async () => 1);
		const b = await step.do("two", async () => a + 1);
		return step.do("three", async () => ({ sum: a + b, created: event.timestamp.getTime() }));
	}
}

export class OneStep extends WorkflowEntrypoint {
	async run(_event, step) {
		return step.do("only", async () => 1);
	}
}

export class SlowStep extends WorkflowEntrypoint {
	async run(event, step) {
		return step.do("slow", async () => {
			await new Promise((r) => setTimeout(r, event.payload.waitMs));
			return 1;
		});
	}
}

export class Sleeper extends WorkflowEntrypoint {
	async run(event, step) {
		const due = await step.do("before", async () => Date.now() + event.payload.sleepMs);
		await step.sleep("nap", event.payload.sleepMs);
		return step.do("after", async () => Date.now() - due);
	}
}

export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);
export const round = (x, d = 1) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
