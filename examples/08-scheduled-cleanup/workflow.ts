// A nightly database cleanup, run by a cron schedule (weft.config.ts: `schedules`). Each firing
// creates one instance whose event carries `schedule.scheduledTime`; the cleanup deletes the
// sessions that expired before that time, in batches, so the app's writes never wait long for
// the lock, and each batch is a step: a crash half-way resumes at the next batch.
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { openAppDatabase, seedSessions } from "./app-database.js";

export interface CleanupEnv {
	/** The app's SQLite file (weft.config.ts `vars`). */
	APP_DB?: string;
}

export interface CleanupReport {
	/** Sessions that expired before this time (ISO 8601) were deleted. */
	cutoff: string;
	/** Whether a schedule fired this run (false when triggered by hand). */
	scheduled: boolean;
	deleted: number;
	remaining: number;
}

/** Rows per delete: small enough that the app's own writes never wait long. */
export const DELETE_BATCH = 500;

function appDb(env: CleanupEnv): string {
	if (!env.APP_DB) throw new NonRetryableError("APP_DB is not set: name the app's SQLite file in weft.config.ts `vars` (or the engine's env)");
	return env.APP_DB;
}

/** Opens the app's database for one step; a database that is not there is a setting to fix, not something to retry. */
function withAppDb<T>(env: CleanupEnv, fn: (db: ReturnType<typeof openAppDatabase>) => T): T {
	let db: ReturnType<typeof openAppDatabase>;
	try {
		db = openAppDatabase(appDb(env));
	} catch (e) {
		throw e instanceof NonRetryableError ? e : new NonRetryableError((e as Error).message);
	}
	try {
		return fn(db);
	} finally {
		db.close();
	}
}

export class SessionCleanup extends WorkflowEntrypoint<CleanupEnv> {
	async run(event: Readonly<WorkflowEvent<unknown>>, step: WorkflowStep): Promise<CleanupReport> {
		// The firing's time, not the clock's: a firing that runs late still cleans up to its own
		// time, and a retry of a step uses the same cutoff as its first attempt.
		const cutoff = event.schedule?.scheduledTime ?? (await step.do("pick cutoff", async () => Date.now()));

		const expired = await step.do("count expired sessions", async () =>
			withAppDb(this.env, (db) => (db.prepare("SELECT count(*) AS n FROM sessions WHERE expires_at < ?").get(cutoff) as { n: number }).n),
		);

		let deleted = 0;
		for (let batch = 1; deleted < expired; batch++) {
			const n = await step.do(`delete batch ${batch}`, async () =>
				withAppDb(
					this.env,
					(db) => db.prepare("DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at < ? LIMIT ?)").run(cutoff, DELETE_BATCH).changes,
				),
			);
			if (n === 0) break; // someone else (an earlier run cut off by a crash) already deleted the rest
			deleted += n;
		}

		return step.do("optimize and report", async () =>
			withAppDb(this.env, (db) => {
				db.pragma("optimize");
				const remaining = (db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
				return { cutoff: new Date(cutoff).toISOString(), scheduled: event.schedule !== undefined, deleted, remaining };
			}),
		);
	}
}

/** The demo's stand-in for the app's traffic: adds sessions to APP_DB, a third of them expired. */
export class SeedSessions extends WorkflowEntrypoint<CleanupEnv, { count?: number } | undefined> {
	async run(event: Readonly<WorkflowEvent<{ count?: number } | undefined>>, step: WorkflowStep) {
		const count = event.payload?.count ?? 3000;
		if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
			throw new NonRetryableError(`count must be a whole number from 1 to 1,000,000, not ${count}`);
		return step.do("add sessions", async () => seedSessions(appDb(this.env), count, Date.now()));
	}
}

export const cleanupWorkflows = {
	CLEANUP: { name: "session-cleanup", class: SessionCleanup },
	SEED: { name: "seed-sessions", class: SeedSessions },
};
