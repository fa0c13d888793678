// Console capture for step bodies: the console's methods are wrapped once per process, and a call
// made inside a body (found through an AsyncLocalStorage that follows the body's awaits) is added
// to that attempt's logs. Outside bodies, after the attempt ended (a timer the body left behind),
// and inside them too when `echo` is on, the console prints as before.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { AttemptLogs, LogCapture } from "./attempt-logs.js";

const METHODS = { log: "info", info: "info", debug: "debug", trace: "debug", warn: "warn", error: "error" } as const;

interface Scope {
	logs: AttemptLogs;
	echo: boolean;
}

const scope = new AsyncLocalStorage<Scope>();
let installed = false;

/** Wraps the console's methods (once): inside a captured body they record; otherwise they print. */
function install(): void {
	if (installed) return;
	installed = true;
	for (const [method, level] of Object.entries(METHODS)) {
		const original = (console as unknown as Record<string, (...args: unknown[]) => void>)[method];
		if (typeof original !== "function") continue;
		(console as unknown as Record<string, unknown>)[method] = function captured(this: unknown, ...args: unknown[]) {
			const s = scope.getStore();
			// Kept by a running attempt: printed only when echoing. Otherwise (no attempt, or one already ended) printed.
			if (s?.logs.add(level, format(...args)) && !s.echo) return;
			return original.apply(this, args);
		};
	}
}

export interface ConsoleCaptureOptions {
	/** Print captured lines to the real console too (default false: they go to the attempt's logs only). */
	echo?: boolean;
}

/** A LogCapture that records console.* calls made by step bodies (see EngineOptions.captureLogs). */
export function consoleCapture(options: ConsoleCaptureOptions = {}): LogCapture {
	install();
	const echo = options.echo ?? false;
	return {
		run: (logs, body) => scope.run({ logs, echo }, body),
	};
}
