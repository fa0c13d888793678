// `node examples/dist/07-thumbnails/serve.js [--dir D] [--port N] [--upload-port N]`: runs the
// thumbnails app until Ctrl+C, and prints how to upload and where to watch.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startThumbnailApp } from "./thumbnail-app.js";
import { THUMBNAIL_CONCURRENCY } from "./workflow.js";

function port(name: string, text: string | undefined, fallback: number): number {
	if (text === undefined) return fallback;
	const n = Number(text);
	if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number from 0 to 65535, not "${text}"`);
	return n;
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { dir: { type: "string" }, port: { type: "string" }, "upload-port": { type: "string" } } });
	const dir = resolve(values.dir ?? "thumbnails-app");
	const app = await startThumbnailApp({ dir, apiPort: port("port", values.port, 8787), uploadPort: port("upload-port", values["upload-port"], 8788) });
	console.log(`thumbnails app: data in ${dir}, at most ${THUMBNAIL_CONCURRENCY} files processed at once
  upload:     curl --data-binary @photo.jpg ${app.uploads.url}/uploads/photo.jpg
  status:     curl ${app.uploads.url}/uploads/<id>
  dashboard:  ${app.api.url}/
  CLI:        npx weft instances list thumbnail --url ${app.api.url}
  thumbnails: ${app.thumbsDir}`);
	const stop = async () => {
		process.off("SIGINT", stop).off("SIGTERM", stop);
		await app.close();
	};
	process.on("SIGINT", stop).on("SIGTERM", stop);
}

main().catch((e: unknown) => {
	console.error(`serve: ${(e as Error).message}`);
	process.exitCode = 1;
});
