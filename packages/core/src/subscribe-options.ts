// Checks `instance.subscribe({ cursor?, filter? })` before the stream starts. Cloudflare answers a
// cursor that is not an eventId and a filter naming an unknown type with one message; Weft throws
// it as a ValidationError with one stable code.
import { ValidationError } from "./errors.js";
import { WORKFLOW_INSTANCE_EVENT_TYPES } from "./instance-events.js";

const KNOWN_TYPES: ReadonlySet<string> = new Set(WORKFLOW_INSTANCE_EVENT_TYPES);

export interface CheckedSubscribeOptions {
	/** Yield only events with a greater eventId (0: all). */
	after: number;
	/** Yield only these types (null: all). */
	types: ReadonlySet<string> | null;
}

export function parseSubscribeOptions(options: unknown): CheckedSubscribeOptions {
	const invalid = () => new ValidationError("subscribe.invalid_options", "Invalid Workflow subscription options");
	if (options === undefined || options === null) return { after: 0, types: null };
	if (typeof options !== "object") throw invalid();
	const { cursor, filter } = options as { cursor?: unknown; filter?: unknown };
	let after = 0;
	// eventIds are numbers; their decimal string is taken too, as a cursor may have come through a URL or a file.
	if (typeof cursor === "number" && Number.isSafeInteger(cursor) && cursor >= 0) after = cursor;
	else if (typeof cursor === "string" && /^\d{1,15}$/.test(cursor)) after = Number(cursor);
	else if (cursor !== undefined) throw invalid();
	if (filter === undefined) return { after, types: null };
	if (!Array.isArray(filter) || !filter.every((t) => typeof t === "string" && KNOWN_TYPES.has(t))) throw invalid();
	return { after, types: new Set(filter) };
}
