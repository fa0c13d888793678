// Evaluates the alert rules periodically against the store, keeps each rule's state, and POSTs
// a notification to the rule's webhook whenever the state changes (ok → firing: "firing";
// firing → ok: "resolved"). Error rates count the instances this process's engine saw finish
// (FinishWindow): exact and cheap, where counting finished instances in the store would mean
// walking every instance ever kept.
import { type Engine, tryParseDuration } from "@weft/core";
import type { AlertRule } from "./alert-rules.js";
import type { FinishWindow } from "./finish-window.js";
import { postWebhook, type WebhookDelivery, type WebhookOutcome } from "./post-webhook.js";
import type { StoreReading, StoreSnapshot } from "./store-snapshot.js";

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
	/** The instances this process saw finish (errorRate rules). */
	finishes: FinishWindow;
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

	constructor(options: AlertMonitorOptions) {
		this.#o = options;
		const since = new Date(options.engine.clock.now()).toISOString();
		for (const r of options.rules) this.#states.set(r.name, { name: r.name, kind: r.kind, state: "ok", since, lastFiredAt: null, detail: "not evaluated yet" });
	}

	start(): void {
		if (this.#timer || this.#o.rules.length === 0) return;
		this.#timer = setInterval(() => void this.evaluate(), this.#o.intervalMs ?? 15_000);
		this.#timer.unref();
		void this.evaluate();
	}

	/** Stops evaluating and waits for the evaluation and deliveries under way. */
	async stop(): Promise<void> {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		await this.#running;
		await Promise.allSettled([...this.#deliveries]);
	}

	list(): AlertState[] {
		return [...this.#states.values()].map((s) => ({ ...s }));
	}

	/** Evaluates every rule once (one evaluation at a time); notifies on each state change. */
	evaluate(): Promise<void> {
		this.#running ??= this.#evaluate()
			.catch((e) => this.#o.onError?.(e))
			.finally(() => {
				this.#running = null;
			});
		return this.#running;
	}

	async #evaluate(): Promise<void> {
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
			this.#notify(rule, {
				rule: { name: rule.name, kind: rule.kind, workflow: rule.workflow ?? null },
				state: next === "firing" ? "firing" : "resolved",
				at: state.since,
				detail: finding.detail,
				instanceIds: finding.instanceIds,
			});
		}
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
		const { finished, errored: newlyErrored } = this.#o.finishes.count(scope, Date.now() - window);
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
