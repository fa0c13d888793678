// An instance's details, kept current while it runs: the journal stream says when something was
// committed (each entry triggers one reload), and a slow poll catches what adds no journal entry
// (a pause). The stream is reopened after the last entry seen when it drops or the instance is
// restarted.
import type { InstanceDetails, JournalEvent } from "@weft/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { followJournal } from "./journal-stream.js";
import { useSession } from "./session.js";
import { TERMINAL_STATUSES } from "./status-badge.js";

export interface LiveDetails {
	details: InstanceDetails | undefined;
	error: unknown;
	/** Whether the journal stream is open right now. */
	streaming: boolean;
	/** The journal entries received since the page opened, newest last. */
	entries: JournalEvent[];
	reload(): void;
}

const POLL_MS = 2000;

export function useLiveDetails(workflow: string, id: string): LiveDetails {
	const { client, reportError } = useSession();
	const [details, setDetails] = useState<InstanceDetails | undefined>(undefined);
	const [error, setError] = useState<unknown>(undefined);
	const [streaming, setStreaming] = useState(false);
	const [entries, setEntries] = useState<JournalEvent[]>([]);
	const lastSeq = useRef(0);
	const pending = useRef<Promise<void> | null>(null);
	const again = useRef(false);

	const reload = useCallback(() => {
		// One request at a time; entries that arrive meanwhile ask for one more afterwards.
		if (pending.current) {
			again.current = true;
			return;
		}
		pending.current = client
			.workflow(workflow)
			.get(id)
			.then((i) => i.details())
			.then(
				(d) => {
					setDetails(d);
					setError(undefined);
				},
				(e: unknown) => {
					reportError(e);
					setError(e);
				},
			)
			.finally(() => {
				pending.current = null;
				if (again.current) {
					again.current = false;
					reload();
				}
			});
	}, [client, workflow, id, reportError]);

	useEffect(() => {
		setDetails(undefined);
		setEntries([]);
		lastSeq.current = 0;
		reload();
	}, [reload]);

	const live = details !== undefined && !TERMINAL_STATUSES.has(details.status);
	useEffect(() => {
		if (!live) return;
		const stop = new AbortController();
		const timer = setInterval(reload, POLL_MS);
		(async () => {
			while (!stop.signal.aborted) {
				setStreaming(true);
				let ending: string;
				try {
					ending = await followJournal(client, workflow, id, {
						cursor: lastSeq.current,
						signal: stop.signal,
						onEntry: (entry) => {
							lastSeq.current = Math.max(lastSeq.current, entry.seq);
							setEntries((es) => [...es.slice(-199), entry]);
							reload();
						},
					});
				} catch (e) {
					ending = stop.signal.aborted ? "aborted" : "failed";
					if (!stop.signal.aborted) reportError(e);
				}
				setStreaming(false);
				if (ending === "end" || ending === "aborted") {
					reload();
					return;
				}
				// Dropped (a server restart): try again shortly; the poll keeps the page current meanwhile.
				await new Promise((r) => setTimeout(r, 1000));
			}
		})();
		return () => {
			stop.abort();
			clearInterval(timer);
		};
	}, [live, client, workflow, id, reload, reportError]);

	return { details, error, streaming, entries, reload };
}
