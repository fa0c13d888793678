// A Node module resolve hook (registered with module.register by cloudflare-modules.ts): the
// `cloudflare:workers` and `cloudflare:workflows` specifiers a Cloudflare project imports resolve
// to Weft's own modules, so the project's source runs unchanged. Any other `cloudflare:` module
// fails with a message saying so, instead of Node's "unsupported URL scheme".
const MODULES: Record<string, string> = {
	"cloudflare:workers": new URL("./cloudflare-workers.js", import.meta.url).href,
	"cloudflare:workflows": new URL("./cloudflare-workflows.js", import.meta.url).href,
};

interface ResolveResult {
	url: string;
	shortCircuit?: boolean;
	format?: string | null;
}

export async function resolve(
	specifier: string,
	context: unknown,
	nextResolve: (specifier: string, context: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
	const url = MODULES[specifier];
	if (url) return { url, shortCircuit: true, format: "module" };
	if (specifier.startsWith("cloudflare:"))
		throw new Error(`"${specifier}" is not available under Weft: only cloudflare:workers and cloudflare:workflows are (see docs/migrating-from-cloudflare.md)`);
	return nextResolve(specifier, context);
}
