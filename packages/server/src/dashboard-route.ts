// Serves the dashboard's static build (packages/dashboard, `vite build` into dist/app) at / and
// /assets/*. It runs before authentication: the page and its scripts hold no data, and a browser
// cannot send a bearer token when it navigates, so the page must load to ask for the token. Every
// request the page then makes goes through the API's authentication like any other client's.
// Without a token the loopback Host check still applies (DNS rebinding). Anything else passes
// through to the API's routes.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Context, MiddlewareHandler } from "hono";
import { localOnlyGuard } from "./local-only-guard.js";

export interface DashboardOptions {
	/** The built dashboard (a directory with index.html and assets/); default: @weft/dashboard's dist/app. */
	dir?: string | undefined;
	/** Apply the loopback Host check first (the server has no token). */
	localOnly: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
	".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".ico": "image/x-icon",
	".woff2": "font/woff2",
	".json": "application/json",
};

// The page may load only its own scripts and styles, talk only to this server, and not be framed
// (clickjacking the action buttons). uPlot and Preact set styles through the CSSOM, which CSP
// allows; 'unsafe-inline' for styles covers the style attributes Vite's CSS may carry.
const PAGE_HEADERS = {
	"content-security-policy":
		"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"x-content-type-options": "nosniff",
	"referrer-policy": "no-referrer",
	"x-frame-options": "DENY",
};

/** Where @weft/dashboard's build is, or null when the package is not installed. */
export function defaultDashboardDir(): string | null {
	try {
		return join(dirname(createRequire(import.meta.url).resolve("@weft/dashboard/package.json")), "dist", "app");
	} catch {
		return null;
	}
}

export function dashboardAssets(options: DashboardOptions): MiddlewareHandler {
	const dir = options.dir ?? defaultDashboardDir();
	const guard = options.localOnly ? localOnlyGuard() : null;
	const cache = new Map<string, Buffer>();
	async function file(name: string): Promise<Buffer | null> {
		if (dir === null) return null;
		const hit = cache.get(name);
		if (hit) return hit;
		try {
			const bytes = await readFile(join(dir, name));
			cache.set(name, bytes);
			return bytes;
		} catch {
			return null;
		}
	}
	const serve = async (c: Context, name: string, headers: Record<string, string>) => {
		const bytes = await file(name);
		if (!bytes) return null;
		const type = CONTENT_TYPES[name.slice(name.lastIndexOf("."))] ?? (name.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream");
		const all = { "content-type": type, ...headers };
		return c.req.method === "HEAD" ? c.body(null, 200, all) : c.body(new Uint8Array(bytes), 200, all);
	};

	return async (c, next) => {
		if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
		const path = c.req.path;
		const asset = /^\/assets\/([A-Za-z0-9_.-]+)$/.exec(path)?.[1];
		if (path !== "/" && path !== "/index.html" && (asset === undefined || asset.startsWith("."))) return next();
		// Throws (403) for a non-loopback Host; the API's error handler answers it.
		if (guard) await guard(c, async () => {});
		if (asset !== undefined) {
			// File names carry a content hash, so they can be cached for good.
			const answer = await serve(c, `assets/${asset}`, { "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" });
			return answer ?? next();
		}
		const page = await serve(c, "index.html", { ...PAGE_HEADERS, "cache-control": "no-cache" });
		if (page) return page;
		return c.html(
			'<!doctype html><title>Weft</title><p>The dashboard is not built. Run <code>npm run build -w @weft/dashboard</code> (or <code>npm run build</code> at the repository root) and reload.</p><p>The API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>',
			404,
			PAGE_HEADERS,
		);
	};
}
