// Tests run each example on a real engine over a fresh SQLite file, and always clean up.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CreateEngineOptions, createEngine, type Engine } from "weft";

/**
 * Starts an engine on a new database in a temp dir, runs `fn`, then closes the engine and removes
 * the dir. Errors of the engine's own machinery (reported through onError) fail the test too,
 * since an example that "works" while the engine complains is not working.
 */
export async function withTempEngine<T>(workflows: CreateEngineOptions["workflows"], fn: (engine: Engine) => Promise<T>): Promise<T> {
	const dir = mkdtempSync(join(tmpdir(), "weft-example-"));
	const engineErrors: string[] = [];
	try {
		const engine = await createEngine({
			database: join(dir, "example.db"),
			workflows,
			onError: (error, context) => engineErrors.push(`${context}: ${error instanceof Error ? error.stack : String(error)}`),
		});
		let result: T;
		try {
			result = await fn(engine);
		} finally {
			await engine.close();
		}
		if (engineErrors.length > 0) throw new Error(`the engine reported errors:\n${engineErrors.join("\n")}`);
		return result;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
