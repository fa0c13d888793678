// The whole thumbnails app in one process: the engine on a SQLite file, Weft's API and dashboard
// (for `weft instances list thumbnail` and the browser), and the upload endpoint.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type RunningServer, startServer } from "@weft/server";
import { createEngine, type Engine, type WorkflowBinding } from "weft";
import { startUploadServer, type UploadServer } from "./upload-server.js";
import { type ThumbnailParams, thumbnailWorkflows } from "./workflow.js";

export interface ThumbnailApp {
	engine: Engine;
	api: RunningServer;
	uploads: UploadServer;
	thumbsDir: string;
	close(): Promise<void>;
}

export interface ThumbnailAppOptions {
	/** Holds weft.db, uploads/ and thumbs/. */
	dir: string;
	/** Weft's API and dashboard (0: any free port). */
	apiPort?: number;
	/** The upload endpoint (0: any free port). */
	uploadPort?: number;
	onError?: (error: unknown, context: string) => void;
}

export async function startThumbnailApp(options: ThumbnailAppOptions): Promise<ThumbnailApp> {
	mkdirSync(options.dir, { recursive: true });
	const thumbsDir = join(options.dir, "thumbs");
	const engine = await createEngine({
		database: join(options.dir, "weft.db"),
		workflows: thumbnailWorkflows,
		env: { THUMBS_DIR: thumbsDir },
		...(options.onError ? { onError: options.onError } : {}),
	});
	let api: RunningServer | undefined;
	try {
		api = await startServer({ engine, host: "127.0.0.1", port: options.apiPort ?? 0, creationRate: false });
		const uploads = await startUploadServer({
			binding: engine.workflow("thumbnail") as WorkflowBinding<ThumbnailParams>,
			uploadsDir: join(options.dir, "uploads"),
			port: options.uploadPort ?? 0,
		});
		const started = api;
		return {
			engine,
			api,
			uploads,
			thumbsDir,
			async close() {
				await uploads.close();
				await started.close();
				await engine.close();
			},
		};
	} catch (e) {
		await api?.close();
		await engine.close();
		throw e;
	}
}
