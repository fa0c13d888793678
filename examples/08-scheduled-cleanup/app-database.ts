// The app the cleanup looks after: a SQLite file with a `sessions` table, as a web app keeps one.
import Database from "better-sqlite3";

/** Opens the app's database, which must exist already: a cleanup has no business creating one. */
export function openAppDatabase(path: string): Database.Database {
	let db: Database.Database;
	try {
		db = new Database(path, { fileMustExist: true });
	} catch (e) {
		throw new Error(`cannot open the app database ${path}: ${(e as Error).message}`);
	}
	db.pragma("busy_timeout = 5000");
	const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").get();
	if (!table) {
		db.close();
		throw new Error(`${path} has no sessions table: is APP_DB the app's database? (the demo fills one with \`weft workflows trigger seed-sessions\`)`);
	}
	return db;
}

/**
 * Creates the app's database if needed and adds `count` sessions, every `expiredEvery`-th of them
 * already expired at `now`: a stand-in for a day of the app's traffic.
 */
export function seedSessions(path: string, count: number, now: number, expiredEvery = 3): { added: number; expired: number } {
	const db = new Database(path);
	try {
		db.pragma("journal_mode = WAL");
		db.exec("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL)");
		const insert = db.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)");
		const start = (db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
		let expired = 0;
		db.transaction(() => {
			for (let i = 0; i < count; i++) {
				const isExpired = i % expiredEvery === 0;
				if (isExpired) expired++;
				// Expired ones ended up to a week ago; live ones end within the next month.
				const expiresAt = isExpired ? now - 1 - (i % 7) * 86_400_000 : now + 3_600_000 + (i % 30) * 86_400_000;
				insert.run(`s-${start + i}`, 1 + (i % 97), expiresAt);
			}
		})();
		return { added: count, expired };
	} finally {
		db.close();
	}
}
