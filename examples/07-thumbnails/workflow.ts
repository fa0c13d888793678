// One instance per uploaded file: check that it is an image, then write a thumbnail with sharp.
// A file that is not an image can never work, so it fails at once with a NonRetryableError and
// its reason; a resize that fails (a truncated file, a full disk) is retried with backoff and, if
// it keeps failing, the instance ends `errored` with sharp's message — parked for a person to see.
import { mkdirSync, renameSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import sharp from "sharp";
import { NonRetryableError, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";
import { bodyGauge } from "./body-gauge.js";

export interface ThumbnailParams {
	/** The uploaded file, as the upload server stored it. */
	file: string;
	/** The name the user gave it. */
	name: string;
}

export interface ThumbnailEnv {
	/** Where thumbnails go. */
	THUMBS_DIR?: string;
	/** The longest side of a thumbnail, in pixels (default 128). */
	THUMB_SIZE?: number;
}

export interface ImageInfo {
	format: string;
	width: number;
	height: number;
}

export interface Thumbnail {
	name: string;
	path: string;
	width: number;
	height: number;
	bytes: number;
	source: ImageInfo;
}

export class ThumbnailWorkflow extends WorkflowEntrypoint<ThumbnailEnv, ThumbnailParams> {
	async run(event: Readonly<WorkflowEvent<ThumbnailParams>>, step: WorkflowStep): Promise<Thumbnail> {
		const { file, name } = event.payload ?? ({} as Partial<ThumbnailParams>);
		if (typeof file !== "string" || typeof name !== "string")
			throw new NonRetryableError('params must be { "file": "<path of the upload>", "name": "<its name>" }');
		const outDir = this.env.THUMBS_DIR;
		if (!outDir) throw new NonRetryableError("no THUMBS_DIR: set it in weft.config.ts `vars` (or the engine's env)");
		const size = this.env.THUMB_SIZE ?? 128;

		const info = await step.do("inspect image", () =>
			bodyGauge.around(async (): Promise<ImageInfo> => {
				let meta: sharp.Metadata;
				try {
					meta = await sharp(file).metadata();
				} catch (e) {
					// sharp cannot even read the header: retrying the same bytes cannot help.
					throw new NonRetryableError(`${name} is not an image sharp can read: ${(e as Error).message}`);
				}
				if (!meta.format || !meta.width || !meta.height) throw new NonRetryableError(`${name} has no size sharp can read (format ${meta.format})`);
				return { format: meta.format, width: meta.width, height: meta.height };
			}),
		);

		return step.do(`make thumbnail ${size}px`, { retries: { limit: 2, delay: 100, backoff: "exponential" }, timeout: "1 minute" }, () =>
			bodyGauge.around(async (): Promise<Thumbnail> => {
				mkdirSync(outDir, { recursive: true });
				const path = join(outDir, `${basename(file, extname(file))}.webp`);
				// Write then rename, so a retry after a crash never leaves half a thumbnail behind.
				const partial = `${path}.partial`;
				const out = await sharp(file).rotate().resize(size, size, { fit: "inside", withoutEnlargement: true }).webp().toFile(partial);
				renameSync(partial, path);
				return { name, path, width: out.width, height: out.height, bytes: statSync(path).size, source: info };
			}),
		);
	}
}

/** At most two files are processed at once; the rest wait `queued`. */
export const THUMBNAIL_CONCURRENCY = 2;

export const thumbnailWorkflows = { THUMBNAIL: { name: "thumbnail", class: ThumbnailWorkflow, concurrency: { limit: THUMBNAIL_CONCURRENCY } } };
