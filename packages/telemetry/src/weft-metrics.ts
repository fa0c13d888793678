// Weft's Prometheus metrics (prom-client), fed by the engine's observer port and, at scrape
// time, by a cached reading of the store. Names are a contract (docs/observability.md; the
// dashboard reads them). Labels are workflow names, statuses and bounded step names only: never
// params, outputs or instance ids.
import type { ActivationEnd, ActivationInfo, AttemptReport, Engine, EngineObserver, TimerReport } from "@weft/core";
import { Counter, Gauge, Histogram, type LabelValues, Registry } from "prom-client";
import { DEFAULT_STEP_LABEL_LIMIT, StepLabels } from "./step-labels.js";
import { StoreSnapshot } from "./store-snapshot.js";

export interface MetricsOptions {
	/** The workflows served, with their per-process concurrency limit (null: none). */
	workflows: { name: string; concurrencyLimit: number | null }[];
	/** Distinct step names kept as labels per workflow; the rest are counted as "other" (default 50). */
	stepLabelLimit?: number;
	/** How old a store reading may be before a scrape reads again (default 5000 ms). */
	storeReadingMaxAgeMs?: number;
}

const STATUSES = ["queued", "running", "paused", "errored", "terminated", "complete", "waiting", "waitingForPause", "unknown"] as const;

export class WeftMetrics {
	readonly registry = new Registry();
	readonly #workflows: MetricsOptions["workflows"];
	readonly #steps: StepLabels;
	readonly #maxAgeMs: number;
	#snapshot: StoreSnapshot | null = null;

	readonly #created: Counter<"workflow">;
	readonly #completed: Counter<"workflow">;
	readonly #errored: Counter<"workflow">;
	readonly #stepDuration: Histogram<"workflow" | "step">;
	readonly #stepAttempts: Counter<"workflow" | "step">;
	readonly #stepRetries: Counter<"workflow" | "step">;
	readonly #running: Gauge<"workflow">;
	readonly #lateness: Histogram;
	readonly #batchSize: Histogram;
	readonly #commitDuration: Histogram;
	readonly #takeovers: Counter;
	readonly #stale: Counter;
	/** Per (workflow, step label): the children, so the hot path hashes no label objects. */
	readonly #stepChildren = new Map<
		string,
		{ duration: ReturnType<Histogram["labels"]>; attempts: ReturnType<Counter["labels"]>; retries: ReturnType<Counter["labels"]> }
	>();

	constructor(options: MetricsOptions) {
		this.#workflows = options.workflows;
		this.#steps = new StepLabels(options.stepLabelLimit ?? DEFAULT_STEP_LABEL_LIMIT);
		this.#maxAgeMs = options.storeReadingMaxAgeMs ?? 5000;
		const registers = [this.registry];
		const byWorkflow = ["workflow"] as const;
		const byStep = ["workflow", "step"] as const;
		this.#created = new Counter({ name: "weft_instances_created_total", help: "Instances created (by this process).", labelNames: byWorkflow, registers });
		this.#completed = new Counter({
			name: "weft_instances_completed_total",
			help: "Instances that completed (in an activation of this process).",
			labelNames: byWorkflow,
			registers,
		});
		this.#errored = new Counter({
			name: "weft_instances_errored_total",
			help: "Instances that ended errored (in an activation of this process).",
			labelNames: byWorkflow,
			registers,
		});
		this.#stepDuration = new Histogram({
			name: "weft_step_duration_seconds",
			help: "How long each attempt of a step.do body ran, in seconds (step names beyond the per-workflow limit are labelled other).",
			labelNames: byStep,
			buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
			registers,
		});
		this.#stepAttempts = new Counter({ name: "weft_step_attempts_total", help: "Attempts of step.do bodies.", labelNames: byStep, registers });
		this.#stepRetries = new Counter({
			name: "weft_step_retries_total",
			help: "Failed attempts after which another attempt was scheduled.",
			labelNames: byStep,
			registers,
		});
		this.#running = new Gauge({ name: "weft_running_instances", help: "Activations running in this process.", labelNames: byWorkflow, registers });
		const limit = new Gauge({
			name: "weft_concurrency_limit",
			help: "Each workflow's concurrency.limit per process (+Inf: none).",
			labelNames: byWorkflow,
			registers,
		});
		this.#lateness = new Histogram({
			name: "weft_timer_lateness_seconds",
			help: "How long after its due time a sleep, retry backoff or event-wait timeout was acted on, in seconds.",
			buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300],
			registers,
		});
		this.#batchSize = new Histogram({
			name: "weft_commit_batch_size",
			help: "Writes per group commit (one transaction each).",
			buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2048],
			registers,
		});
		this.#commitDuration = new Histogram({
			name: "weft_commit_duration_seconds",
			help: "How long each group commit's transaction took, in seconds.",
			buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
			registers,
		});
		this.#takeovers = new Counter({
			name: "weft_lease_takeovers_total",
			help: "Instances claimed from a holder whose lease expired (or left running by a previous process).",
			registers,
		});
		this.#stale = new Counter({
			name: "weft_stale_writes_rejected_total",
			help: "Writes refused because their lease had been taken over (fencing).",
			registers,
		});
		const snapshot = () => this.#snapshot?.read() ?? null;
		new Gauge({
			name: "weft_instances",
			help: "Instances by workflow and status, from the store (read at most every few seconds).",
			labelNames: ["workflow", "status"] as const,
			registers,
			async collect() {
				const reading = await snapshot();
				if (!reading) return;
				this.reset();
				const counts = new Map(reading.counts.map((c) => [`${c.workflow}\u0000${c.status}`, c.count]));
				for (const w of options.workflows) for (const status of STATUSES) this.set({ workflow: w.name, status }, counts.get(`${w.name}\u0000${status}`) ?? 0);
			},
		});
		new Gauge({
			name: "weft_queue_depth",
			help: "Instances due now and not yet claimed: new, woken (timer, event, resume) or with an expired lease.",
			labelNames: byWorkflow,
			registers,
			async collect() {
				const reading = await snapshot();
				if (!reading?.queues) return;
				for (const q of reading.queues) this.set({ workflow: q.workflow }, q.depth);
			},
		});
		new Gauge({
			name: "weft_queue_oldest_age_seconds",
			help: "How long the longest-waiting due, unclaimed instance has been due, in seconds (0: the queue is empty).",
			labelNames: byWorkflow,
			registers,
			async collect() {
				const reading = await snapshot();
				if (!reading?.queues) return;
				for (const q of reading.queues) this.set({ workflow: q.workflow }, q.oldestDueAt === null ? 0 : Math.max(0, reading.at - q.oldestDueAt) / 1000);
			},
		});
		new Gauge({
			name: "weft_held_instances",
			help: 'Instances paused by onDivergence: "hold" and not resumed since.',
			labelNames: byWorkflow,
			registers,
			async collect() {
				const reading = await snapshot();
				if (!reading) return;
				for (const [workflow, n] of reading.held) this.set({ workflow }, n);
			},
		});
		// Every workflow's series exists from the start, at 0, so rates and absences read right.
		for (const w of options.workflows) {
			const l: LabelValues<"workflow"> = { workflow: w.name };
			this.#created.inc(l, 0);
			this.#completed.inc(l, 0);
			this.#errored.inc(l, 0);
			this.#running.set(l, 0);
			limit.set(l, w.concurrencyLimit ?? Number.POSITIVE_INFINITY);
		}
	}

	/** Reads store-derived gauges from this engine's store at scrape time. */
	attach(engine: Engine): void {
		this.#snapshot = new StoreSnapshot(
			engine,
			this.#workflows.map((w) => w.name),
			this.#maxAgeMs,
		);
	}

	/** The shared reading of the store (alerts use it too); null before attach(). */
	get snapshot(): StoreSnapshot | null {
		return this.#snapshot;
	}

	/** The Prometheus text exposition of every metric. */
	text(): Promise<string> {
		return this.registry.metrics();
	}

	get contentType(): string {
		return this.registry.contentType;
	}

	/** The observer to hand the engine (EngineOptions.observer). */
	readonly observer: EngineObserver = {
		instancesCreated: (workflow: string, count: number) => this.#created.inc({ workflow }, count),
		activationStarted: (a: ActivationInfo) => this.#running.inc({ workflow: a.workflow }),
		activationEnded: (a: ActivationInfo, end: ActivationEnd) => {
			this.#running.dec({ workflow: a.workflow });
			if (end === "complete") this.#completed.inc({ workflow: a.workflow });
			else if (end === "errored") this.#errored.inc({ workflow: a.workflow });
		},
		attemptEnded: (r: AttemptReport) => {
			const step = this.#steps.label(r.workflow, r.step);
			const key = `${r.workflow}\u0000${step}`;
			let c = this.#stepChildren.get(key);
			if (!c) {
				c = {
					duration: this.#stepDuration.labels(r.workflow, step),
					attempts: this.#stepAttempts.labels(r.workflow, step),
					retries: this.#stepRetries.labels(r.workflow, step),
				};
				this.#stepChildren.set(key, c);
			}
			c.attempts.inc();
			c.duration.observe(Math.max(0, r.endedAt - r.startedAt) / 1000);
			if (r.retryAt !== undefined) c.retries.inc();
		},
		timerFired: (t: TimerReport) => this.#lateness.observe(Math.max(0, t.firedAt - t.dueAt) / 1000),
		committed: (writes: number, seconds: number) => {
			this.#batchSize.observe(writes);
			this.#commitDuration.observe(seconds);
		},
		staleWriteRejected: () => this.#stale.inc(),
		leaseTakeovers: (count: number) => this.#takeovers.inc(count),
	};
}
