// Makes `cloudflare:workers` and `cloudflare:workflows` importable in this process, for ES
// modules (a resolve hook on Node's loader thread) and for CommonJS (a TypeScript project
// without "type": "module" is compiled to CommonJS by tsx, and require() does not go through
// module.register hooks on Node 20, so the CommonJS resolver is taught the two names too; the
// shims are ES modules, which require() loads since Node 20.19).
import { Module, register } from "node:module";
import { fileURLToPath } from "node:url";

const SHIMS: Record<string, string> = {
	"cloudflare:workers": fileURLToPath(new URL("./cloudflare-workers.js", import.meta.url)),
	"cloudflare:workflows": fileURLToPath(new URL("./cloudflare-workflows.js", import.meta.url)),
};

let registered = false;

export function registerCloudflareModules(): void {
	if (registered) return;
	registered = true;
	register(new URL("./cloudflare-resolve-hook.js", import.meta.url));
	const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
	const original = cjs._resolveFilename;
	cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
		const shim = SHIMS[request];
		if (shim) return shim;
		if (request.startsWith("cloudflare:"))
			throw new Error(`"${request}" is not available under Weft: only cloudflare:workers and cloudflare:workflows are (see docs/migrating-from-cloudflare.md)`);
		return original.call(this, request, ...rest);
	};
}
