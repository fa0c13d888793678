// Cloudflare bindings a wrangler config may declare that Weft cannot provide (KV, D1, R2, queues,
// Durable Objects, services, AI, …). They are named once at startup, and each one's name on `env`
// holds a stand-in that throws `binding.unsupported` on first use, so a Worker that touches one
// fails with the binding's name and kind instead of "cannot read properties of undefined" deep
// inside a request.
import { WeftError } from "@weft/core";

export interface UnsupportedBinding {
	/** The name on `env` (null for entries that declare no binding, such as queue consumers). */
	binding: string | null;
	/** What it is, for people: "KV namespace", "D1 database", … */
	kind: string;
	/** The wrangler key it comes from: "kv_namespaces", "queues.consumers", … */
	key: string;
}

/** wrangler key → [what it is, the entry field that names the binding]. */
const LISTS: Record<string, [kind: string, field: string | null]> = {
	kv_namespaces: ["KV namespace", "binding"],
	d1_databases: ["D1 database", "binding"],
	r2_buckets: ["R2 bucket", "binding"],
	"queues.producers": ["queue producer", "binding"],
	"queues.consumers": ["queue consumer", null],
	"durable_objects.bindings": ["Durable Object namespace", "name"],
	services: ["service binding", "binding"],
	vectorize: ["Vectorize index", "binding"],
	hyperdrive: ["Hyperdrive config", "binding"],
	analytics_engine_datasets: ["Analytics Engine dataset", "binding"],
	mtls_certificates: ["mTLS certificate", "binding"],
	dispatch_namespaces: ["dispatch namespace", "binding"],
	send_email: ["email sender", "name"],
	secrets_store_secrets: ["Secrets Store secret", "binding"],
	pipelines: ["pipeline", "binding"],
	ratelimits: ["rate limiter", "name"],
	unsafe_bindings: ["unsafe binding", "name"],
	tail_consumers: ["tail consumer", null],
	containers: ["container", null],
};

/** wrangler key → what it is, for keys that hold one object with an optional binding name. */
const SINGLE: Record<string, string> = {
	ai: "Workers AI",
	browser: "Browser Rendering",
	images: "Images",
	version_metadata: "version metadata",
	assets: "static assets",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function at(config: Record<string, unknown>, path: string): unknown {
	let v: unknown = config;
	for (const part of path.split(".")) v = isObject(v) ? v[part] : undefined;
	return v;
}

/** Every binding (or binding-like entry) in a wrangler config that Weft does not provide. */
export function findUnsupportedBindings(config: Record<string, unknown>): UnsupportedBinding[] {
	const found: UnsupportedBinding[] = [];
	for (const [key, [kind, field]] of Object.entries(LISTS)) {
		const list = key === "unsafe_bindings" ? at(config, "unsafe.bindings") : at(config, key);
		if (!Array.isArray(list)) continue;
		for (const entry of list) {
			const name = field && isObject(entry) && typeof entry[field] === "string" ? (entry[field] as string) : null;
			found.push({ binding: name, kind, key: key === "unsafe_bindings" ? "unsafe.bindings" : key });
		}
	}
	for (const [key, kind] of Object.entries(SINGLE)) {
		const entry = config[key];
		if (!isObject(entry)) continue;
		found.push({ binding: typeof entry.binding === "string" ? entry.binding : null, kind, key });
	}
	return found;
}

/** The one startup line that names them, or null when there are none. */
export function describeUnsupported(file: string, bindings: readonly UnsupportedBinding[]): string | null {
	if (bindings.length === 0) return null;
	const named = bindings.map((b) => `${b.binding ? `${b.binding} ` : ""}(${b.kind}, ${b.key})`);
	const onEnv = bindings.filter((b) => b.binding).map((b) => `env.${b.binding}`);
	return (
		`${file} declares Cloudflare bindings Weft does not provide: ${named.join(", ")}` +
		`${onEnv.length ? `; ${onEnv.join(", ")} throw binding.unsupported when used` : ""} — see docs/migrating-from-cloudflare.md`
	);
}

/** A value for `env[binding]` that throws a clear error when anything on it is used. */
export function unsupportedBindingStub(b: UnsupportedBinding): object {
	const fail = (): never => {
		throw new WeftError(
			"binding.unsupported",
			`env.${b.binding} is a Cloudflare ${b.kind} (${b.key}), which Weft does not provide; see docs/migrating-from-cloudflare.md for what to use instead`,
		);
	};
	return new Proxy(Object.create(null) as object, {
		// Symbols (util.inspect), `then` (await env.X) and `toJSON` (JSON.stringify(env)) must not throw.
		get: (_, prop) => (typeof prop === "symbol" || prop === "then" || prop === "toJSON" ? undefined : fail()),
		set: fail,
	});
}
