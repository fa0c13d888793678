// For a Cloudflare project (a wrangler config): finds the Worker's own fetch handler (served by
// serve-project.ts with the workflow bindings and vars in env), and says once, at startup, what
// of the project Weft does not run (crons with no scheduled() handler among it). Without a fetch handler in `main`, only Weft's API is served.
import { resolve } from "node:path";
import type { LoadedConfig } from "./load-config.js";
import { importModule } from "./module-loader.js";
import { describeUnsupported } from "./unsupported-bindings.js";
import { workerFetchHandler } from "./worker-fetch-server.js";

/** The default export of the project's `main`, if it has one with a fetch handler. */
export async function loadWorkerFetch(loaded: LoadedConfig) {
	const main = loaded.config.main;
	if (!loaded.worker || main === undefined) return null;
	const exports = await importModule(resolve(loaded.dir, main));
	return workerFetchHandler(exports.default);
}

/** `served`: main has a fetch handler; `scheduled`: main has a scheduled handler (run on triggers.crons). */
export function workerNotices(loaded: LoadedConfig, served: boolean, scheduled: boolean): string[] {
	const worker = loaded.worker;
	if (!worker) return [];
	const file = loaded.path.slice(loaded.dir.length + 1);
	const notices: string[] = [];
	const unsupported = describeUnsupported(file, worker.unsupported);
	if (unsupported) notices.push(unsupported);
	if (worker.crons.length && !scheduled)
		notices.push(
			`${file}: triggers.crons (${worker.crons.join(", ")}) are not run: ${loaded.config.main ?? "main"}'s default export has no scheduled() handler; add one, or give workflows "schedules" (docs/migrating-from-cloudflare.md)`,
		);
	if (!served) notices.push(`${loaded.config.main}: its default export has no fetch() handler, so only Weft's API is served`);
	return notices;
}
