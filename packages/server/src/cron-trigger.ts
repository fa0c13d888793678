// Fires workflow schedules: at each firing of a cron (UTC, on the engine's clock) it creates one
// instance whose id is derived from (cron, firing time), so when several processes fire the same
// schedule — `weft worker`s and `weft start`s sharing PostgreSQL, or a `weft dev` reload — the
// store's uniqueness lets exactly one create succeed and the others fail harmlessly.
//
// Firings missed while no process ran: at start, if the latest firing at or before now has no
// instance but an earlier firing (within the last LOOKBACK firings) has one, the latest runs
// once, now, and the firings between are counted as missed (shown by the API and the CLI) and
// not run. A schedule with no instance in that window is new: nothing is caught up.
import { type Engine, scheduledInstanceId } from "@weft/core";
import { type CronSchedule, parseCron } from "./cron-schedule.js";

/** How many earlier firings are probed at start to tell "missed" from "new schedule". */
export const LOOKBACK_FIRINGS = 1000;
const PROBES_AT_ONCE = 50;

export interface ScheduledWorkflow {
	workflow: string;
	crons: readonly string[];
}

/** What the API shows for one schedule. */
export interface ScheduleState {
	cron: string;
	/** The next firing (ISO 8601, UTC), or null if the cron never fires again. */
	next: string | null;
	/** Firings skipped because no process ran at the time (the latest of them ran once at start). */
	missed?: number;
}

interface Entry {
	workflow: string;
	schedule: CronSchedule;
	missed: number;
	due: number | null;
	cancel: (() => void) | null;
}

export interface CronTriggerOptions {
	engine: Engine;
	workflows: readonly ScheduledWorkflow[];
	onError: (error: unknown, context: string) => void;
}

export class CronTrigger {
	readonly #engine: Engine;
	readonly #entries: Entry[];
	readonly #onError: CronTriggerOptions["onError"];
	readonly #pending = new Set<Promise<void>>();
	#closed = false;
	/** Instances this process created, and firings another process (or an earlier run) had already created. */
	readonly stats = { created: 0, duplicates: 0 };

	constructor(options: CronTriggerOptions) {
		this.#engine = options.engine;
		this.#onError = options.onError;
		this.#entries = options.workflows.flatMap((w) =>
			w.crons.map((cron) => ({ workflow: w.workflow, schedule: parseCron(cron), missed: 0, due: null, cancel: null })),
		);
	}

	get size(): number {
		return this.#entries.length;
	}

	/** Catches up what was missed (see the policy above), then arms every schedule. */
	async start(): Promise<void> {
		await Promise.all(
			this.#entries.map(async (entry) => {
				try {
					await this.#catchUp(entry);
				} catch (e) {
					this.#onError(e, `catching up schedule "${entry.schedule.cron}" of ${entry.workflow}`);
				}
				this.#arm(entry);
			}),
		);
	}

	/** The schedules of a workflow, with their next firing from now. */
	describe(workflow: string): ScheduleState[] {
		const now = this.#engine.clock.now();
		return this.#entries
			.filter((e) => e.workflow === workflow)
			.map((e) => {
				const next = e.schedule.nextAfter(now);
				return { cron: e.schedule.cron, next: next === null ? null : new Date(next).toISOString(), ...(e.missed > 0 ? { missed: e.missed } : {}) };
			});
	}

	/** Waits for the creations of firings so far (they run against the store in the background). */
	async flush(): Promise<void> {
		while (this.#pending.size > 0) await Promise.all(this.#pending);
	}

	/** Stops firing and waits for creations in flight. */
	async close(): Promise<void> {
		this.#closed = true;
		for (const e of this.#entries) e.cancel?.();
		await Promise.all(this.#pending);
	}

	async #exists(entry: Entry, time: number): Promise<boolean> {
		return (await this.#engine.store.getInstance({ workflow: entry.workflow, id: scheduledInstanceId(entry.schedule.cron, time) })) !== null;
	}

	async #catchUp(entry: Entry): Promise<void> {
		const now = this.#engine.clock.now();
		const latest = entry.schedule.latestAtOrBefore(now);
		if (latest === undefined || (await this.#exists(entry, latest))) return;
		const earlier = entry.schedule.previousBefore(LOOKBACK_FIRINGS, latest);
		for (let i = 0; i < earlier.length; i += PROBES_AT_ONCE) {
			const chunk = earlier.slice(i, i + PROBES_AT_ONCE);
			const found = (await Promise.all(chunk.map((t) => this.#exists(entry, t)))).indexOf(true);
			if (found >= 0) {
				entry.missed += i + found;
				await this.#create(entry, latest);
				return;
			}
		}
	}

	#arm(entry: Entry): void {
		if (this.#closed) return;
		const now = this.#engine.clock.now();
		const due = entry.schedule.nextAfter(now);
		entry.due = due;
		entry.cancel = due === null ? null : this.#engine.clock.setTimer(() => this.#fire(entry), due - now);
	}

	#fire(entry: Entry): void {
		entry.cancel = null;
		if (this.#closed || entry.due === null) return;
		const now = this.#engine.clock.now();
		if (now < entry.due) {
			this.#arm(entry);
			return;
		}
		// Late (the process was suspended, the event loop blocked): the latest firing runs, the ones between count as missed.
		const latest = entry.schedule.latestAtOrBefore(now) ?? entry.due;
		for (let t: number | null = entry.due; t !== null && t < latest; t = entry.schedule.nextAfter(t)) entry.missed++;
		const creating = this.#create(entry, latest).finally(() => this.#pending.delete(creating));
		this.#pending.add(creating);
		this.#arm(entry);
	}

	async #create(entry: Entry, time: number): Promise<void> {
		const id = scheduledInstanceId(entry.schedule.cron, time);
		try {
			const [outcome] = await this.#engine.createInstances(entry.workflow, [{ id }]);
			if (outcome?.created) this.stats.created++;
			else this.stats.duplicates++;
		} catch (e) {
			this.#onError(e, `creating ${entry.workflow}/${id} for schedule "${entry.schedule.cron}"`);
		}
	}
}
