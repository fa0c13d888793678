// `--from-step <name> [--from-step-count n] [--from-step-type t]`, shared by restart and fork.
import type { RestartFrom } from "@weft/client";
import type { Command } from "commander";
import { CliError, parseIntArg } from "./cli-context.js";

export interface FromStepFlags {
	fromStep?: string;
	fromStepCount?: string;
	fromStepType?: string;
}

const TYPES = ["do", "sleep", "waitForEvent"];

/** Adds the three options to a command. */
export function withFromStepOptions(command: Command, what: string): Command {
	return command
		.option("--from-step <name>", `${what} from this step (its name without the -<count> suffix)`)
		.option("--from-step-count <n>", "which use of that name (default 1)")
		.option("--from-step-type <type>", "do, sleep or waitForEvent (default do)");
}

/** The step the flags name, or undefined without --from-step. */
export function fromStep(flags: FromStepFlags): RestartFrom | undefined {
	if ((flags.fromStepCount || flags.fromStepType) && !flags.fromStep) throw new CliError("--from-step-count and --from-step-type go with --from-step");
	if (flags.fromStepType && !TYPES.includes(flags.fromStepType))
		throw new CliError(`--from-step-type must be do, sleep or waitForEvent, not ${JSON.stringify(flags.fromStepType)}`);
	if (!flags.fromStep) return undefined;
	return {
		name: flags.fromStep,
		...(flags.fromStepCount ? { count: parseIntArg(flags.fromStepCount, "--from-step-count") } : {}),
		...(flags.fromStepType ? { type: flags.fromStepType as RestartFrom["type"] & string } : {}),
	};
}
