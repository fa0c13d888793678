// Where a project's database is, as the `database` setting or `--database` gives it: a SQLite file
// path or a PostgreSQL URL (with Weft's own `?schema=`), and how to show it without its password.
import { ConfigError } from "./config-error.js";

/** postgres:// or postgresql:// (the two schemes libpq accepts). */
export function isPostgresUrl(database: string): boolean {
	return /^postgres(ql)?:\/\//i.test(database);
}

/** Any URL (scheme://…), as opposed to a file path. */
export function isDatabaseUrl(database: string): boolean {
	return /^[a-z][a-z0-9+.-]*:\/\//i.test(database);
}

export interface PostgresTarget {
	/** The URL as given, without Weft's own `schema` parameter. */
	connectionString: string;
	/** `?schema=NAME` on the URL, else "weft". */
	schema: string;
}

/** Splits Weft's `?schema=NAME` off a PostgreSQL URL (pg would pass it to the server as a setting). */
export function parsePostgresUrl(database: string): PostgresTarget {
	let url: URL;
	try {
		url = new URL(database);
	} catch (cause) {
		throw new ConfigError("config.invalid", `database ${JSON.stringify(redactUrl(database))} is not a valid URL`, { cause });
	}
	const schema = url.searchParams.get("schema") ?? "weft";
	url.searchParams.delete("schema");
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,57}$/.test(schema))
		throw new ConfigError("config.invalid", `database URL: schema ${JSON.stringify(schema)} must be 1–58 letters, digits or "_", not starting with a digit`);
	return { connectionString: url.toString(), schema };
}

/** The URL with its password replaced by "***", for banners and logs. */
export function redactUrl(database: string): string {
	if (!isDatabaseUrl(database)) return database;
	try {
		const url = new URL(database);
		if (url.password) url.password = "***";
		return url.toString();
	} catch {
		return database.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
	}
}

export function unsupported(database: string): ConfigError {
	return new ConfigError(
		"config.unsupported_database",
		`database ${JSON.stringify(redactUrl(database))}: give a SQLite file path or a postgres:// (postgresql://) URL`,
	);
}
