// The instance a cron firing creates has an id derived from (cron, firing time) alone, so every
// process that sees the firing computes the same id and the store's uniqueness lets exactly one
// create succeed — with any number of workers racing, and across restarts — without a lock or a
// table of its own. The cron travels inside the id (base64url, which uses only id characters),
// so `event.schedule` can be rebuilt from the instance record on every replay, with no column
// added to any store.

/** What `event.schedule` holds for an instance a cron schedule created (Cloudflare's shape). */
export interface WorkflowSchedule {
	/** The cron expression, as written in the config. */
	readonly cron: string;
	/** The firing this instance is for, in ms since the epoch (UTC, minute-aligned). */
	readonly scheduledTime: number;
}

/** The longest cron expression whose instance ids stay within 100 characters. */
export const MAX_CRON_LENGTH = 60;

const PREFIX = "cron_";
const ID_PATTERN = /^cron_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})_([A-Za-z0-9_-]+)$/;
const two = (n: number) => String(n).padStart(2, "0");

/** `cron_<yyyymmddhhmm UTC>_<base64url(cron)>`, e.g. `cron_202601010005_Ki81ICogKiAqICo`. */
export function scheduledInstanceId(cron: string, scheduledTime: number): string {
	const d = new Date(scheduledTime);
	const stamp = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
	return `${PREFIX}${stamp}_${Buffer.from(cron, "utf8").toString("base64url")}`;
}

/** The schedule an id made by scheduledInstanceId stands for; undefined for any other id. */
export function scheduleOfInstanceId(id: string): WorkflowSchedule | undefined {
	if (!id.startsWith(PREFIX)) return undefined;
	const m = ID_PATTERN.exec(id);
	if (!m) return undefined;
	const [, year, month, day, hour, minute, encoded] = m as unknown as [string, string, string, string, string, string, string];
	const cron = Buffer.from(encoded, "base64url").toString("utf8");
	// Only a canonical encoding of printable text counts, so an id a user made up rarely decodes.
	if (Buffer.from(cron, "utf8").toString("base64url") !== encoded || !/^[\x20-\x7e]+$/.test(cron)) return undefined;
	const scheduledTime = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
	return Number.isNaN(scheduledTime) ? undefined : { cron, scheduledTime };
}
