// The raw SQLite ceiling on this disk: single-row commits per second with WAL and
// synchronous=FULL, measured in the same run as the workloads so results are ratios.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

export function measureCeiling(dir, { durationMs = 1500 } = {}) {
	const work = mkdtempSync(join(dir ?? tmpdir(), "weft-ceiling-"));
	const db = new Database(join(work, "ceiling.db"));
	try {
		db.pragma("journal_mode = WAL");
		db.pragma("synchronous = FULL");
		db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
		const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
		const value = Buffer.alloc(64);
		const started = performance.now();
		let n = 0;
		while (performance.now() - started < durationMs) {
			insert.run(value);
			n++;
		}
		return Math.round(n / ((performance.now() - started) / 1000));
	} finally {
		db.close();
		rmSync(work, { recursive: true, force: true });
	}
}
