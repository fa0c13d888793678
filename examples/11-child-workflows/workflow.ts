// A parent that fans out to one child per region and fans their typed results in, with
// `runChild`: no polling, and no concurrency slot held while it waits.
import {
	type BindingOf,
	ChildWorkflowError,
	type Engine,
	NonRetryableError,
	runChild,
	type WorkflowBinding,
	WorkflowEntrypoint,
	type WorkflowEvent,
	type WorkflowInstance,
	type WorkflowStep,
} from "weft";

export interface TallyParams {
	region: number;
}

/** One child: tallies the votes of one region (a stand-in for any unit of work). */
export class TallyRegion extends WorkflowEntrypoint<unknown, TallyParams> {
	async run(event: WorkflowEvent<TallyParams>, step: WorkflowStep) {
		return step.do("count votes", async () => {
			const { region } = event.payload;
			// A failure no retry can fix: the child errors at once, and its parent hears of it.
			if (region === 0) throw new NonRetryableError("region 0 has no ballot box");
			return { region, yes: (region * 7) % 13, no: (region * 5) % 11 };
		});
	}
}

export interface ElectionParams {
	regions: number;
}

export interface ElectionResult {
	yes: number;
	no: number;
	counted: number;
	/** Regions whose child failed, with why. */
	failed: { region: number; why: string }[];
}

type Env = { TALLY: BindingOf<typeof TallyRegion> };

/** The parent: one child per region, all at once; their outputs arrive typed (`t.yes` is a number). */
export class Election extends WorkflowEntrypoint<Env, ElectionParams> {
	async run(event: WorkflowEvent<ElectionParams>, step: WorkflowStep): Promise<ElectionResult> {
		const tallies = await Promise.all(
			Array.from({ length: event.payload.regions }, (_, region) =>
				runChild(step, `tally region ${region}`, this.env.TALLY, { params: { region } }).catch((e: unknown) => {
					// A child's failure arrives as a typed error: count it and carry on.
					if (e instanceof ChildWorkflowError) return { region, why: e.child.error?.message ?? e.child.status };
					throw e;
				}),
			),
		);
		const result: ElectionResult = { yes: 0, no: 0, counted: 0, failed: [] };
		for (const t of tallies) {
			if ("why" in t) result.failed.push(t);
			else {
				result.yes += t.yes;
				result.no += t.no;
				result.counted++;
			}
		}
		return result;
	}
}

export const childWorkflowsWorkflows = {
	ELECTION: { name: "election", class: Election, concurrency: { limit: 1 } },
	TALLY: { name: "tally-region", class: TallyRegion, concurrency: { limit: 50 } },
};

/** Starts one election over `regions` regions. */
export function runElection(engine: Engine, regions: number): Promise<WorkflowInstance> {
	return (engine.workflow("election") as WorkflowBinding<ElectionParams>).create({ params: { regions } });
}
