// The ETL example's destination: a SQLite file with the loaded rows, the rejected lines, and a
// ledger of loaded batches. A batch's rows and its ledger row are written in one transaction, so
// a load that runs again (its step was cut off by a crash after the commit, before the engine
// recorded the result) finds the ledger row and writes nothing: every row lands exactly once.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Reject, ZipRow } from "./zip-rows.js";

export interface LoadResult {
	batch: number;
	loaded: number;
	rejected: number;
	/** True when an earlier attempt had already committed this batch (seen after a crash). */
	alreadyLoaded: boolean;
}

/**
 * Opens (creating if needed) the warehouse. No unique key on `zip` on purpose: the ledger is what
 * keeps a batch from landing twice, and the example's test counts duplicates to prove it.
 */
export function openWarehouse(path: string): Database.Database {
	mkdirSync(dirname(path), { recursive: true });
	const db = new Database(path);
	db.pragma("journal_mode = WAL");
	db.pragma("busy_timeout = 5000");
	db.exec(`
		CREATE TABLE IF NOT EXISTS zipcodes (
			id INTEGER PRIMARY KEY, zip TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
			city TEXT NOT NULL, state TEXT NOT NULL, county TEXT NOT NULL, region TEXT NOT NULL, run TEXT NOT NULL, batch INTEGER NOT NULL
		);
		CREATE TABLE IF NOT EXISTS rejects (line INTEGER NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL, run TEXT NOT NULL, batch INTEGER NOT NULL);
		CREATE TABLE IF NOT EXISTS loaded_batches (run TEXT NOT NULL, batch INTEGER NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (run, batch));
	`);
	return db;
}

/** Loads one batch, or nothing if this run already loaded it. */
export function loadBatch(path: string, run: string, batch: number, rows: ZipRow[], rejects: Reject[]): LoadResult {
	const db = openWarehouse(path);
	try {
		const done = db.prepare("SELECT 1 FROM loaded_batches WHERE run = ? AND batch = ?");
		const insertRow = db.prepare(
			"INSERT INTO zipcodes (zip, lat, lon, city, state, county, region, run, batch) VALUES (@zip, @lat, @lon, @city, @state, @county, @region, @run, @batch)",
		);
		const insertReject = db.prepare("INSERT INTO rejects (line, reason, raw, run, batch) VALUES (@line, @reason, @raw, @run, @batch)");
		const record = db.prepare("INSERT INTO loaded_batches (run, batch, rows) VALUES (?, ?, ?)");
		// IMMEDIATE: take the write lock before the ledger check, so two attempts cannot both see "not loaded".
		return db
			.transaction((): LoadResult => {
				if (done.get(run, batch)) return { batch, loaded: 0, rejected: 0, alreadyLoaded: true };
				for (const row of rows) insertRow.run({ ...row, run, batch });
				for (const r of rejects) insertReject.run({ ...r, run, batch });
				record.run(run, batch, rows.length);
				return { batch, loaded: rows.length, rejected: rejects.length, alreadyLoaded: false };
			})
			.immediate();
	} finally {
		db.close();
	}
}

export interface WarehouseTotals {
	rows: number;
	distinctZips: number;
	rejects: number;
	batches: number;
}

export function warehouseTotals(path: string, run: string): WarehouseTotals {
	const db = openWarehouse(path);
	try {
		const count = (sql: string) => (db.prepare(sql).get(run) as { n: number }).n;
		return {
			rows: count("SELECT count(*) AS n FROM zipcodes WHERE run = ?"),
			distinctZips: count("SELECT count(DISTINCT zip) AS n FROM zipcodes WHERE run = ?"),
			rejects: count("SELECT count(*) AS n FROM rejects WHERE run = ?"),
			batches: count("SELECT count(*) AS n FROM loaded_batches WHERE run = ?"),
		};
	} finally {
		db.close();
	}
}
