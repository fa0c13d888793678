// The thumbnails app end to end: real images (made with sharp) and two broken files go through
// the upload endpoint; thumbnails come out at the right size, the broken files end errored with
// their reason (one at once, one after its retries), and never more than the concurrency limit
// of files were processed at once.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import type { InstanceStatus } from "weft";
import { itemsOf } from "../shared/report.js";
import { bodyGauge } from "./body-gauge.js";
import { startThumbnailApp } from "./thumbnail-app.js";
import { THUMBNAIL_CONCURRENCY, type Thumbnail } from "./workflow.js";

const WEFT = fileURLToPath(new URL("../../../packages/cli/dist/bin.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "weft-thumbnails-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A photo-like image: noise compresses badly and takes sharp real work to resize. */
function photo(width: number, height: number, format: "jpeg" | "png" | "webp" | "tiff"): Promise<Buffer> {
	return sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: "gaussian", mean: 128, sigma: 40 } } })
		.toFormat(format)
		.toBuffer();
}

const IMAGES: [name: string, width: number, height: number, format: "jpeg" | "png" | "webp" | "tiff"][] = [
	["landscape.jpg", 1600, 1200, "jpeg"],
	["portrait.png", 600, 1500, "png"],
	["square.webp", 900, 900, "webp"],
	["wide.jpg", 2000, 500, "jpeg"],
	["scan.tiff", 1000, 800, "tiff"],
	["icon.png", 100, 60, "png"],
];

async function upload(base: string, name: string, body: Buffer): Promise<{ status: number; json: { id?: string; error?: string } }> {
	const res = await fetch(`${base}/uploads/${encodeURIComponent(name)}`, { method: "POST", body });
	return { status: res.status, json: (await res.json()) as { id?: string; error?: string } };
}

async function finished(base: string, id: string): Promise<InstanceStatus> {
	for (;;) {
		const status = (await (await fetch(`${base}/uploads/${id}`)).json()) as InstanceStatus;
		if (status.status === "complete" || status.status === "errored" || status.status === "terminated") return status;
		await new Promise((r) => setTimeout(r, 25));
	}
}

test("uploads become thumbnails, one instance each, at most two at a time; broken files end errored with their reason", async () => {
	const engineErrors: unknown[] = [];
	const app = await startThumbnailApp({ dir, onError: (e) => engineErrors.push(e) });
	bodyGauge.reset();
	try {
		const base = app.uploads.url;
		const truncated = await photo(1200, 900, "jpeg");
		const files: [string, Buffer][] = [
			...(await Promise.all(IMAGES.map(async ([name, w, h, f]) => [name, await photo(w, h, f)] as [string, Buffer]))),
			["corrupt.jpg", Buffer.from("these bytes were never an image, whatever the name says\n".repeat(50))],
			["truncated.jpg", truncated.subarray(0, Math.floor(truncated.length / 2))],
		];
		// All at once, as a burst of users would: the limit, not the uploads, sets the pace.
		const uploaded = await Promise.all(files.map(([name, body]) => upload(base, name, body)));
		for (const u of uploaded) assert.equal(u.status, 202, JSON.stringify(u.json));
		const ids = new Map(files.map(([name], i) => [name, uploaded[i]?.json.id as string]));
		const statuses = new Map(await Promise.all([...ids].map(async ([name, id]) => [name, await finished(base, id)] as const)));

		for (const [name, w, h] of IMAGES) {
			const status = statuses.get(name);
			assert.equal(status?.status, "complete", `${name}: ${JSON.stringify(status)}`);
			const thumb = status.output as Thumbnail;
			const scale = Math.min(1, 128 / Math.max(w, h));
			const meta = await sharp(thumb.path).metadata();
			assert.equal(meta.format, "webp");
			assert.deepEqual([meta.width, meta.height], [thumb.width, thumb.height]);
			assert.equal(Math.max(thumb.width, thumb.height), Math.round(Math.max(w, h) * scale), `${name}: longest side`);
			assert.ok(Math.abs(Math.min(thumb.width, thumb.height) - Math.min(w, h) * scale) <= 1, `${name}: aspect kept (${thumb.width}×${thumb.height})`);
		}

		const corrupt = statuses.get("corrupt.jpg");
		assert.equal(corrupt?.status, "errored");
		assert.equal(corrupt.error?.name, "NonRetryableError");
		assert.match(
			corrupt.error?.message ?? "",
			/^corrupt\.jpg is not an image sharp can read: Input buffer contains unsupported image format|^corrupt\.jpg is not an image sharp can read: Input file contains unsupported image format/,
		);
		const corruptSteps = itemsOf(
			await app.engine
				.workflow("thumbnail")
				.get(ids.get("corrupt.jpg") as string)
				.then((i) => i.details()),
			"step",
		);
		assert.deepEqual(
			corruptSteps.map((s) => [s.name, s.attempts.length]),
			[["inspect image", 1]],
			"no retry for a file that can never be read",
		);

		const cut = statuses.get("truncated.jpg");
		assert.equal(cut?.status, "errored");
		assert.match(cut.error?.message ?? "", /premature end of JPEG/i);
		const cutSteps = itemsOf(
			await app.engine
				.workflow("thumbnail")
				.get(ids.get("truncated.jpg") as string)
				.then((i) => i.details()),
			"step",
		);
		assert.deepEqual(
			cutSteps.map((s) => [s.name, s.attempts.length, s.success]),
			[
				["inspect image", 1, true],
				["make thumbnail 128px", 3, false],
			],
			"the resize was tried three times, then the instance was parked",
		);

		assert.ok(bodyGauge.max <= THUMBNAIL_CONCURRENCY, `at most ${THUMBNAIL_CONCURRENCY} files at once, saw ${bodyGauge.max}`);

		// What a person sees: `weft instances list` against the app's API.
		const list = await promisify(execFile)(process.execPath, [WEFT, "instances", "list", "thumbnail", "--url", app.api.url], {
			env: { ...process.env, NO_COLOR: "1" },
		});
		for (const id of ids.values()) assert.ok(list.stdout.includes(id), `${id} in:\n${list.stdout}`);
		assert.equal((list.stdout.match(/errored/gi) ?? []).length, 2, list.stdout);
		assert.deepEqual(engineErrors, []);
	} finally {
		await app.close();
	}
});

test("the upload endpoint refuses what it cannot take, with a reason", async () => {
	const app = await startThumbnailApp({ dir: join(dir, "refusals") });
	try {
		const base = app.uploads.url;
		assert.deepEqual(await upload(base, "empty.png", Buffer.alloc(0)), {
			status: 400,
			json: { error: "the upload is empty: send the file as the request body" },
		});
		const sneaky = await upload(base, "../../etc/passwd", Buffer.from("x"));
		assert.equal(sneaky.status, 400);
		assert.match(sneaky.json.error ?? "", /is not a usable file name/);
		const unknown = await fetch(`${base}/uploads/no-such-id`);
		assert.equal(unknown.status, 404);
		assert.deepEqual((await app.engine.listInstances("thumbnail")).instances, [], "nothing refused became an instance");
	} finally {
		await app.close();
	}
});
