// Evaluates the alert rules periodically against the store, keeps each rule's state, and POSTs
// a notification to the rule's webhook whenever the state changes (ok → firing: "firing";
// firing → ok: "resolved"). Error rates count finishes in per-second buckets: this process's
// (FinishWindow), or every process's when the store keeps a shared tally (SharedFinishes); exact
// and cheap, where counting finished instances in the store would mean walking every instance
// ever kept.
//
// On a store shared by several processes (Store.holdRole), every process evaluates (each one's
// GET /api/alerts shows the state) but only the holder of the "alerts" role notifies, and only
// the changes between two evaluations it made while holding the role: the evaluation that takes
// the role over is a baseline, so a state the previous holder already notified is never sent
// again (docs/decisions.md).
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Engine, tryParseDuration } from "@weft/core";
import type { AlertRule } from "./alert-rules.js";
import type { FinishWindow } from "./finish-window.js";
import { postWebhook, type WebhookDelivery, type WebhookOutcome } from "./post-webhook.js";
import type { SharedFinishes } from "./shared-finishes.js";
import type { StoreReading, StoreSnapshot } from "./store-snapshot.js";

/** The role whose holder sends the notifications (Store.holdRole). */
export const ALERTS_ROLE = "alerts";
/** The role is held for this many intervals past each evaluation: a stopped holder is replaced after at most that. */
const ROLE_TTL_INTERVALS = 3;

/** A rule's state as GET /api/alerts lists it. */
export interface AlertState {
	name: string;
	kind: AlertRule["kind"];
	state: "ok" | "firing";
	/** When the rule entered its state (or the monitor started). */
	since: string;
	lastFiredAt: string | null;
	detail: string;
}

/** The body POSTed to a webhook. */
export interface AlertNotification {
	rule: { name: string; kind: AlertRule["kind"]; workflow: string | null };
	state: "firing" | "resolved";
	at: string;
	detail: string;
	/** Instances the rule is about (stuck, recently errored), at most 20. */
	instanceIds: { workflow: string; id: string }[];
}

export interface AlertMonitorOptions {
	engine: Engine;
	snapshot: StoreSnapshot;
	/** The instances this process saw finish (errorRate rules on a store of one process). */
	finishes: FinishWindow;
	/** Every process's finishes, when the store keeps a shared tally: errorRate rules count these instead. */
	sharedFinishes?: SharedFinishes | null | undefined;
	/** Who this process is in the store's roles table (default host:pid:random). */
	holder?: string;
	/** Told when this process starts or stops sending the notifications (shared stores). */
	onRole?: (holding: boolean, holder: string) => void;
	rules: AlertRule[];
	/** The workflows the rules apply to when they name none. */
	workflows: string[];
	defaultWebhook?: string | undefined;
	/** How often rules are evaluated (default 15 s). */
	intervalMs?: number;
	delivery?: WebhookDelivery;
	/** Told about each delivery (and each failed one), for logs. */
	onDelivery?: (rule: string, outcome: WebhookOutcome) => void;
	onError?: (error: unknown) => void;
}

interface Finding {
	firing: boolean;
	detail: string;
	instanceIds: { workflow: string; id: string }[];
}

const MAX_IDS = 20;
const STUCK_STATUSES = ["queued", "running", "waitingForPause"] as const;

export class AlertMonitor {
	readonly #o: AlertMonitorOptions;
	readonly #states = new Map<string, AlertState>();
	#timer: NodeJS.Timeout | null = null;
	#running: Promise<void> | null = null;
	readonly #deliveries = new Set<Promise<unknown>>();
	readonly #holder: string;
	/** Whether the last evaluation held the alerts role (always, on a store without roles). */
	#holding: boolean;
	readonly #intervalMs: number;
	#stopped = false;

	constructor(options: AlertMonitorOptions) {
		this.#o = options;
		this.#holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
		// A store without roles serves one process, which notifies from its first evaluation on.
		this.#holding = !options.engine.store.holdRole;
		this.#intervalMs = options.intervalMs ?? 15_000;
		const since = new Date(options.engine.clock.now()).toISOString();
		for (const r of options.rules) this.#states.set(r.name, { name: r.name, kind: r.kind, state: "ok", since, lastFiredAt: null, detail: "not evaluated yet" });
	}

	start(): void {
		if (this.#timer || this.#o.rules.length === 0) return;
		this.#timer = setInterval(() => void this.evaluate(), this.#intervalMs);
		this.#timer.unref();
		void this.evaluate();
	}

	/** Stops evaluating, waits for the evaluation and deliveries under way, and hands the alerts role back. */
	async stop(): Promise<void> {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		this.#stopped = true;
		await this.#running;
		await Promise.allSettled([...this.#deliveries]);
		const store = this.#o.engine.store;
		if (store.holdRole && this.#holding) {
			this.#holding = false;
			// TTL 0: another process takes the role at its next evaluation rather than when it would expire.
			await store.holdRole(ALERTS_ROLE, this.#holder, 0, this.#o.engine.clock.now()).catch((e) => this.#o.onError?.(e));
			this.#o.onRole?.(false, this.#holder);
		}
	}

	/** Whether this process sends the notifications (it held the alerts role at its last evaluation). */
	get notifying(): boolean {
		return this.#holding;
	}

	/** This process's name in the store's roles table. */
	get holder(): string {
		return this.#holder;
	}

	list(): AlertState[] {
		return [...this.#states.values()].map((s) => ({ ...s }));
	}

	/** Evaluates every rule once (one evaluation at a time); notifies on each state change. */
	evaluate(): Promise<void> {
		if (this.#stopped) return Promise.resolve();
		this.#running ??= this.#evaluate()
			.catch((e) => this.#o.onError?.(e))
			.finally(() => {
				this.#running = null;
			});
		return this.#running;
	}

	async #evaluate(): Promise<void> {
		const notify = await this.#takeRole();
		const shared = this.#o.sharedFinishes;
		const rateWindows = this.#o.rules.flatMap((r) => (r.kind === "errorRate" ? [tryParseDuration(r.window) as number] : []));
		// This process's latest finishes go into the tally before the rules read it.
		if (shared && rateWindows.length > 0) await shared.flush();
		const reading = await this.#o.snapshot.read();
		const now = this.#o.engine.clock.now();
		for (const rule of this.#o.rules) {
			const finding = await this.#check(rule, reading, now);
			const state = this.#states.get(rule.name) as AlertState;
			state.detail = finding.detail;
			const next = finding.firing ? "firing" : "ok";
			if (next === state.state) continue;
			state.state = next;
			state.since = new Date(now).toISOString();
			if (next === "firing") state.lastFiredAt = state.since;
			if (notify)
				this.#notify(rule, {
					rule: { name: rule.name, kind: rule.kind, workflow: rule.workflow ?? null },
					state: next === "firing" ? "firing" : "resolved",
					at: state.since,
					detail: finding.detail,
					instanceIds: finding.instanceIds,
				});
		}
		// One process keeps the shared tally short: the seconds no errorRate window reaches go.
		if (shared && rateWindows.length > 0 && this.#holding) await shared.prune(Date.now() - Math.max(...rateWindows));
	}

	/**
	 * Takes or renews the alerts role; answers whether this evaluation's changes are notified:
	 * only when the previous evaluation held the role too (the one that takes it is a baseline).
	 */
	async #takeRole(): Promise<boolean> {
		const store = this.#o.engine.store;
		if (!store.holdRole) return true;
		const was = this.#holding;
		let held = false;
		try {
			held = await store.holdRole(ALERTS_ROLE, this.#holder, ROLE_TTL_INTERVALS * this.#intervalMs, this.#o.engine.clock.now());
		} finally {
			// A failed renewal counts as lost: taking the role again starts with a baseline.
			this.#holding = held;
			if (held !== was) this.#o.onRole?.(held, this.#holder);
		}
		return held && was;
	}

	#scope(rule: AlertRule): string[] {
		return rule.workflow ? [rule.workflow] : this.#o.workflows;
	}

	#check(rule: AlertRule, reading: StoreReading, now: number): Promise<Finding> | Finding {
		switch (rule.kind) {
			case "stuck":
				return this.#stuck(rule.for, this.#scope(rule), now);
			case "queueAge":
				return queueAge(tryParseDuration(rule.olderThan) as number, this.#scope(rule), reading);
			case "errorRate":
				return this.#errorRate(rule, now);
		}
	}

	async #stuck(limit: string | number, workflows: string[], now: number): Promise<Finding> {
		const ms = tryParseDuration(limit) as number;
		const ids: { workflow: string; id: string }[] = [];
		let count = 0;
		for (const workflow of workflows)
			for (const status of STUCK_STATUSES) {
				// An instance unchanged since before the limit was created before it too: the status index serves this.
				const { instances } = await this.#o.engine.store.listInstances({ workflow, status, createdBefore: now - ms, limit: 1000 });
				for (const r of instances)
					if (r.updatedAt < now - ms) {
						count++;
						if (ids.length < MAX_IDS) ids.push({ workflow, id: r.id });
					}
			}
		return {
			firing: count > 0,
			detail:
				count > 0
					? `${count} instance${count === 1 ? " has" : "s have"} not moved for over ${describe(limit)} (queued, running or finishing a pause)`
					: `no instance has been stuck for over ${describe(limit)}`,
			instanceIds: ids,
		};
	}

	async #errorRate(rule: Extract<AlertRule, { kind: "errorRate" }>, now: number): Promise<Finding> {
		const window = tryParseDuration(rule.window) as number;
		const scope = new Set(this.#scope(rule));
		const from = Date.now() - window;
		const shared = this.#o.sharedFinishes;
		const { finished, errored: newlyErrored } = shared ? await shared.count(scope, from) : this.#o.finishes.count(scope, from);
		const rate = finished === 0 ? 0 : newlyErrored / finished;
		const firing = finished >= (rule.minInstances ?? 1) && rate > rule.over;
		const ids: { workflow: string; id: string }[] = [];
		if (firing)
			for (const workflow of scope) {
				const { instances } = await this.#o.engine.store.listInstances({ workflow, status: "errored", limit: MAX_IDS });
				for (const r of instances) if ((r.endedAt ?? 0) >= now - window && ids.length < MAX_IDS) ids.push({ workflow, id: r.id });
			}
		const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
		return {
			firing,
			detail: `${newlyErrored} of ${finished} instance${finished === 1 ? "" : "s"} finished in the last ${describe(rule.window)} errored (${pct(rate)}; fires over ${pct(rule.over)}${rule.minInstances ? ` with at least ${rule.minInstances} finished` : ""})`,
			instanceIds: ids,
		};
	}

	#notify(rule: AlertRule, notification: AlertNotification): void {
		const url = rule.webhook ?? this.#o.defaultWebhook;
		if (!url) return;
		const delivery = postWebhook(url, notification, this.#o.delivery).then(
			(outcome) => this.#o.onDelivery?.(rule.name, outcome),
			(e) => this.#o.onError?.(e),
		);
		this.#deliveries.add(delivery);
		void delivery.finally(() => this.#deliveries.delete(delivery));
	}
}

function queueAge(ms: number, workflows: string[], reading: StoreReading): Finding {
	if (!reading.queues) return { firing: false, detail: "this store does not report its queues", instanceIds: [] };
	const scope = new Set(workflows);
	let oldest: { workflow: string; ageMs: number } | null = null;
	for (const q of reading.queues) {
		if (!scope.has(q.workflow) || q.oldestDueAt === null) continue;
		const ageMs = reading.at - q.oldestDueAt;
		if (!oldest || ageMs > oldest.ageMs) oldest = { workflow: q.workflow, ageMs };
	}
	const firing = oldest !== null && oldest.ageMs > ms;
	return {
		firing,
		detail: oldest
			? `the longest-waiting due instance (${oldest.workflow}) has waited ${Math.round(oldest.ageMs / 1000)} s; fires over ${Math.round(ms / 1000)} s`
			: "no instance is waiting to be claimed",
		instanceIds: [],
	};
}

function describe(d: string | number): string {
	return typeof d === "number" ? `${d} ms` : d;
}
