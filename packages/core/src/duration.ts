import { ValidationError } from "./errors.js";

/** A number of milliseconds, or "<n> second|minute|hour|day|week|month|year[s]" (Cloudflare's grammar). */
export type WorkflowDuration = number | `${number} ${DurationUnit}` | `${number} ${DurationUnit}s`;
export type DurationUnit = "millisecond" | "second" | "minute" | "hour" | "day" | "week" | "month" | "year";

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const UNIT_MS: Record<string, number> = {
	millisecond: 1,
	second: SECOND,
	minute: 60 * SECOND,
	hour: 3600 * SECOND,
	day: DAY,
	week: 7 * DAY,
	month: 30 * DAY,
	year: 365.25 * DAY,
};
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour|day|week|month|year)s?\s*$/;

/** Milliseconds of a duration, or undefined when it is not one (negative, NaN, unknown unit). */
export function tryParseDuration(d: unknown): number | undefined {
	if (typeof d === "number") return Number.isFinite(d) && d >= 0 ? d : undefined;
	if (typeof d !== "string") return undefined;
	const m = PATTERN.exec(d);
	if (!m) return undefined;
	return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export function parseDuration(d: unknown, what = "duration"): number {
	const ms = tryParseDuration(d);
	if (ms === undefined) {
		throw new ValidationError(
			"duration.invalid",
			`${what} ${JSON.stringify(d)} is not a duration: use a number of milliseconds or "<n> second|minute|hour|day|week|month|year[s]", e.g. "10 seconds"`,
		);
	}
	return ms;
}
