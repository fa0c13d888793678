import { type Engine, ManualClock, parseDuration, type WorkflowDuration, type WorkflowMap } from "@weft/core";
import { createEngine } from "weft";

/** A clock that moves only when a test says so: `await clock.advance("7 days")`. */
export class TestClock extends ManualClock {
	override advance(by: WorkflowDuration | number): Promise<void> {
		return super.advance(parseDuration(by, "advance"));
	}
}

/**
 * An in-process engine for tests: an in-memory SQLite store (or `database`) and a TestClock, so
 * nothing sleeps for real. `close()` when done.
 */
export async function createTestEngine<W extends WorkflowMap>(options: {
	workflows: W;
	env?: Record<string, unknown>;
	database?: string;
}): Promise<{ engine: Engine<W>; clock: TestClock; close(): Promise<void> }> {
	const clock = new TestClock();
	const engine = await createEngine({
		database: options.database ?? ":memory:",
		workflows: options.workflows,
		clock,
		...(options.env ? { env: options.env } : {}),
	});
	return { engine, clock, close: () => engine.close({ graceMs: 0 }) };
}
