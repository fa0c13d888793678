// The console output of one step attempt, bounded so a chatty body cannot bloat its journal
// entry: at most MAX_LOG_LINES lines and MAX_LOG_BYTES of text; what is dropped is counted and
// the truncation is marked by a last line.
import type { Clock } from "./clock.js";

/** One captured line, as journaled with its attempt (`at`: engine clock, ms). */
export interface LogLine {
	at: number;
	level: string;
	message: string;
}

export const MAX_LOG_LINES = 100;
export const MAX_LOG_BYTES = 8 * 1024;

export class AttemptLogs {
	readonly #clock: Clock;
	readonly lines: LogLine[] = [];
	#bytes = 0;
	#dropped = 0;
	#closed = false;

	constructor(clock: Clock) {
		this.#clock = clock;
	}

	/** Keeps a line; false once the attempt has ended (a timer the body left behind): it belongs to no attempt. */
	add(level: string, message: string): boolean {
		if (this.#closed) return false;
		if (this.lines.length >= MAX_LOG_LINES || this.#bytes >= MAX_LOG_BYTES) {
			this.#dropped++;
			return true;
		}
		const room = MAX_LOG_BYTES - this.#bytes;
		// Characters, not bytes, for speed: a UTF-8 line may go over by a little; the bound is a guard, not a quota.
		const text = message.length > room ? `${message.slice(0, room)}… (cut)` : message;
		this.#bytes += text.length;
		this.lines.push({ at: this.#clock.now(), level, message: text });
		return true;
	}

	/** The lines to journal (undefined when there were none), with a last line marking any truncation. */
	close(): LogLine[] | undefined {
		this.#closed = true;
		if (this.#dropped > 0)
			this.lines.push({
				at: this.#clock.now(),
				level: "warn",
				message: `[weft] ${this.#dropped} more line${this.#dropped === 1 ? "" : "s"} dropped: an attempt keeps at most ${MAX_LOG_LINES} lines and ${MAX_LOG_BYTES} characters of console output`,
			});
		return this.lines.length > 0 ? this.lines : undefined;
	}
}

/**
 * Runs a step body so that what it prints is added to `logs` (console capture, see
 * @weft/telemetry's consoleCapture). A port, so core neither patches the console nor holds an
 * AsyncLocalStorage unless asked to.
 */
export interface LogCapture {
	run<T>(logs: AttemptLogs, body: () => T): T;
}
