// Cron expressions for workflow schedules: Cloudflare's five fields (minute hour day-of-month
// month day-of-week), always in UTC, parsed by croner rather than by hand. An expression that
// does not parse is a ConfigError `config.invalid_schedule` when the config loads, never a
// surprise at the first firing.
import { MAX_CRON_LENGTH } from "@weft/core";
import { Cron } from "croner";
import { ConfigError } from "./config-error.js";

/** A parsed schedule: when it fires next, and when it fired before a moment. */
export interface CronSchedule {
	cron: string;
	/** The first firing strictly after `afterMs`. */
	nextAfter(afterMs: number): number | null;
	/** Up to `n` firings strictly before `beforeMs`, latest first. */
	previousBefore(n: number, beforeMs: number): number[];
	/** The latest firing at or before `ms`, if any. */
	latestAtOrBefore(ms: number): number | undefined;
}

export function parseCron(cron: string): CronSchedule {
	// paused: croner only computes times here; the firing is driven by the engine's clock.
	const pattern = new Cron(cron, { timezone: "UTC", mode: "5-part", paused: true });
	const previousBefore = (n: number, beforeMs: number) => pattern.previousRuns(n, new Date(beforeMs)).map((d) => d.getTime());
	return {
		cron,
		nextAfter: (afterMs) => pattern.nextRun(new Date(afterMs))?.getTime() ?? null,
		previousBefore,
		// croner looks back from whole seconds; firings fall on whole minutes, so a second of slack finds one at exactly `ms`.
		latestAtOrBefore: (ms) => previousBefore(2, ms + 1000).find((t) => t <= ms),
	};
}

/** The schedules of a workflow as the config gives them (one string or a list), checked. */
export function checkSchedules(value: unknown, at: string, file: string): string[] {
	if (value === undefined) return [];
	const list = typeof value === "string" ? [value] : value;
	if (!Array.isArray(list) || list.some((c) => typeof c !== "string"))
		throw new ConfigError("config.invalid", `${file}: ${at} must be a cron string or a list of them, such as ["*/5 * * * *"]`);
	const seen = new Set<string>();
	for (const cron of list as string[]) {
		if (cron.length > MAX_CRON_LENGTH)
			throw new ConfigError(
				"config.invalid_schedule",
				`${file}: ${at} ${JSON.stringify(cron)} is longer than ${MAX_CRON_LENGTH} characters (the cron is part of each instance id it creates)`,
			);
		try {
			parseCron(cron);
		} catch (cause) {
			throw new ConfigError(
				"config.invalid_schedule",
				`${file}: ${at} ${JSON.stringify(cron)} is not a valid cron expression (${(cause as Error).message}); use five fields, minute hour day-of-month month day-of-week, in UTC, such as "*/5 * * * *"`,
				{ cause },
			);
		}
		if (seen.has(cron)) throw new ConfigError("config.invalid_schedule", `${file}: ${at} lists ${JSON.stringify(cron)} twice`);
		seen.add(cron);
	}
	return list as string[];
}
