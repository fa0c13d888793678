// The app's own endpoint: `POST /uploads/<name>` with the file as the body stores it and starts
// one `thumbnail` instance for it (202, with the instance id); `GET /uploads/<id>` is its status.
// Plain node:http on 127.0.0.1, so the example needs no web framework.
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { WorkflowBinding } from "weft";
import type { ThumbnailParams } from "./workflow.js";

/** Uploads larger than this are refused with 413 before they fill the disk. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
const NAME = /^[\w][\w .-]{0,99}$/;

export interface UploadServer {
	url: string;
	close(): Promise<void>;
}

export async function startUploadServer(options: { binding: WorkflowBinding<ThumbnailParams>; uploadsDir: string; port?: number }): Promise<UploadServer> {
	mkdirSync(options.uploadsDir, { recursive: true });
	const server = createServer((req, res) => {
		handle(req, res).catch((e: unknown) => reply(res, 500, { error: (e as Error).message }));
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? "/", "http://localhost");
		const match = /^\/uploads\/([^/]+)$/.exec(url.pathname);
		if (!match?.[1]) return reply(res, 404, { error: "POST /uploads/<file name> with the file as the body; GET /uploads/<id> for its status" });
		const last = decodeURIComponent(match[1]);
		if (req.method === "GET") {
			try {
				return reply(res, 200, { id: last, ...(await (await options.binding.get(last)).status()) });
			} catch (e) {
				return reply(res, 404, { error: (e as Error).message });
			}
		}
		if (req.method !== "POST") return reply(res, 405, { error: "use POST to upload, GET for a status" });
		if (!NAME.test(last)) return reply(res, 400, { error: `"${last}" is not a usable file name: letters, digits, spaces, '.', '-' and '_', at most 100` });
		const declared = Number(req.headers["content-length"] ?? 0);
		if (declared > MAX_UPLOAD_BYTES) return reply(res, 413, { error: `the upload is ${declared} bytes; the limit is ${MAX_UPLOAD_BYTES}` });
		const body = await readBody(req);
		if (body === null) return reply(res, 413, { error: `the upload is larger than the ${MAX_UPLOAD_BYTES}-byte limit` });
		if (body.length === 0) return reply(res, 400, { error: "the upload is empty: send the file as the request body" });
		// The id names both the stored file and the instance, so a status link needs nothing else.
		const id = randomUUID();
		const file = join(options.uploadsDir, `${id}-${last}`);
		writeFileSync(file, body);
		await options.binding.create({ id, params: { file, name: last } });
		return reply(res, 202, { id, name: last, status: `/uploads/${id}` });
	}

	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_UPLOAD_BYTES) return null;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}
