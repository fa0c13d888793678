// What a fork starts with: the records of a journal before the first record of a step, as a
// new instance's own. Only what replay answers steps from is kept: an instance's end, a hold for
// divergence and the versions that ran it belong to the original, not to its fork.
import type { JournalEntry } from "./journal.js";
import type { Serializer } from "./serializer.js";
import type { JournalRecord, NewJournalRecord } from "./store.js";

const CARRIED = new Set<JournalEntry["kind"]>(["attempt", "sleep", "wait", "event", "wait_timeout", "resumed"]);

/** The records before `fromKey`'s first one; null when the journal has no such step. */
export function forkJournal(records: readonly JournalRecord[], fromKey: string, serializer: Serializer): NewJournalRecord[] | null {
	const end = records.findIndex((r) => r.key === fromKey);
	if (end < 0) return null;
	let consumed = 0;
	const kept: NewJournalRecord[] = [];
	for (const r of records.slice(0, end)) {
		if (!CARRIED.has(r.kind as JournalEntry["kind"])) continue;
		if (r.kind !== "event") {
			kept.push({ at: r.at, kind: r.kind, key: r.key, data: r.data });
			continue;
		}
		// The event a wait received stays in the journal, but the fork has no events of its own:
		// a negative seq can never be taken for one sent to the fork later.
		const entry = serializer.decode(r.data) as Extract<JournalEntry, { kind: "event" }>;
		kept.push({ at: r.at, kind: r.kind, key: r.key, data: serializer.encode({ ...entry, eventSeq: -++consumed }) });
	}
	return kept;
}
