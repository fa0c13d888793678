// The server process of `weft dev`. The parent (run-dev.ts) starts one, and on a change to the
// project's files stops it and starts another: a fresh process is the only way to load edited
// ES modules again, and nothing is lost since instances live in the database. The process tells
// its parent over IPC when it is up (or why it failed) and which project files it loaded.
import { fileURLToPath } from "node:url";
import { importedModuleUrls } from "./module-loader.js";
import { type ServeProjectOptions, type ServingProject, serveProject } from "./serve-project.js";
import { waitForSignal } from "./wait-for-signal.js";

export type DevChildMessage =
	| {
			type: "ready";
			url: string;
			port: number;
			database: string;
			workflows: string[];
			authenticated: boolean;
			files: string[];
			/** A Cloudflare project's Worker, on its own port. */
			worker: { url: string; port: number } | null;
			notices: string[];
	  }
	| { type: "failed"; code: string; message: string; files: string[] };

const send = (m: DevChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));

/** Project files (not packages) this process imported: what the parent watches. */
function projectFiles(dir: string, configPath: string | null): string[] {
	const files = new Set<string>(configPath ? [configPath] : []);
	for (const url of importedModuleUrls()) {
		if (!url.startsWith("file:")) continue;
		const path = fileURLToPath(url);
		if (path.startsWith(`${dir}/`) && !path.includes("/node_modules/")) files.add(path);
	}
	return [...files];
}

async function main(): Promise<void> {
	const options = JSON.parse(process.env.WEFT_DEV_OPTIONS ?? "{}") as ServeProjectOptions;
	const stop = waitForSignal("ignore");
	// The parent is gone (killed without a chance to stop us): shut down as on a signal.
	const orphaned = new Promise<void>((resolve) => process.once("disconnect", () => resolve()));
	let project: ServingProject;
	try {
		project = await serveProject(options);
	} catch (e) {
		const error = e as { code?: unknown; message?: string };
		await send({
			type: "failed",
			code: typeof error.code === "string" ? error.code : "internal",
			message: error.message ?? String(e),
			files: projectFiles(options.cwd, null),
		});
		process.exit(1);
	}
	await send({
		type: "ready",
		url: project.url,
		port: project.server.port,
		database: project.database,
		workflows: project.loaded.workflows.map((w) => w.name),
		authenticated: project.authenticated,
		worker: project.worker ? { url: project.worker.url, port: project.worker.port } : null,
		notices: project.notices,
		files: projectFiles(project.loaded.dir, project.loaded.path),
	});
	await Promise.race([stop, orphaned]);
	await project.close();
	process.exit(0);
}

await main();
