// `weft start`: serve the project in this process until SIGINT or SIGTERM, then shut down
// gracefully: stop taking requests, stop claiming instances, let running steps finish up to
// shutdownGraceMs, close the database.
import { formatBanner } from "./banner.js";
import { type ServeProjectOptions, serveProject } from "./serve-project.js";
import { waitForSignal } from "./wait-for-signal.js";

export async function runStart(options: ServeProjectOptions & { out?: (line: string) => void }): Promise<void> {
	const out = options.out ?? ((line: string) => console.log(line));
	const project = await serveProject(options);
	out(
		formatBanner({
			mode: "start",
			url: project.url,
			database: project.database,
			workflows: project.loaded.workflows.map((w) => w.name),
			authenticated: project.authenticated,
			workerUrl: project.worker?.url ?? null,
			notices: project.notices,
		}),
	);
	const signal = await waitForSignal("exit");
	out(`weft: ${signal}, stopping — running steps get up to ${project.loaded.config.shutdownGraceMs ?? 5000} ms to finish (Ctrl+C again to quit now)`);
	await project.close();
	out("weft: stopped");
}
