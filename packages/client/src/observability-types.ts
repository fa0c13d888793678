// The observability resources of the HTTP API: an instance's captured step output, and the state
// of the server's alert rules.

/** One line a step body printed, with the step and attempt it came from. */
export interface InstanceLogLine {
	/** The step's name and the n-th use of that name in the run. */
	step: string;
	count: number;
	attempt: number;
	/** ISO time the line was printed. */
	at: string;
	/** "debug" | "info" | "warn" | "error" (console.log is "info", console.trace "debug"). */
	level: string;
	message: string;
}

/** GET …/instances/:id/logs: every captured line of the current generation, in journal order. */
export interface InstanceLogs {
	logs: InstanceLogLine[];
}

/** One alert rule of GET /api/alerts. */
export interface AlertStatus {
	name: string;
	kind: "stuck" | "errorRate" | "queueAge";
	state: "ok" | "firing";
	since: string;
	lastFiredAt: string | null;
	detail: string;
}
