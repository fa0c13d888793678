// Loads a project's config and workflow modules, TypeScript included. Node 20 cannot import a
// .ts file by itself (type stripping arrived in Node 22.6 and is unflagged only from 23.6), so
// the server registers tsx's loader hooks, for ESM and for CommonJS, in its own process, and
// imports the user's files with a plain dynamic import(). Registering the hooks process-wide
// (rather than tsx's scoped tsImport) keeps one copy of each package: the user's `weft` is the
// server's `weft`.
import { pathToFileURL } from "node:url";
import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";
import { registerCloudflareModules } from "./cloudflare-modules.js";

let registered = false;
const imported = new Set<string>();

function ensureRegistered(): void {
	if (registered) return;
	registered = true;
	registerEsm({ onImport: (url) => imported.add(url) });
	registerCjs();
	// After tsx, so this hook runs first: `cloudflare:workers` never reaches tsx's resolver.
	registerCloudflareModules();
}

/**
 * The module's exports. A .ts file in a project without `"type": "module"` is compiled as
 * CommonJS, and its ESM namespace then holds the exports under `default` (marked `__esModule`);
 * those are unwrapped, so `export class X` and `export default {…}` read the same either way.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
	ensureRegistered();
	const url = pathToFileURL(path).href;
	imported.add(url);
	const ns = (await import(url)) as Record<string, unknown>;
	const inner = ns.default as Record<string, unknown> | undefined;
	if (typeof inner === "object" && inner !== null && inner.__esModule === true && Object.keys(ns).every((k) => k === "default" || k === "module.exports"))
		return inner;
	return ns;
}

/** file: URLs of every module imported through the loader so far (for the dev watcher). */
export function importedModuleUrls(): string[] {
	return [...imported];
}
