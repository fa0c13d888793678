// The Worker's `env` (workflow bindings, vars, stand-ins for unsupported bindings), for
// `import { env } from "cloudflare:workers"`, which Cloudflare offers at module scope. The
// engine that owns the bindings is built after the user's modules load (it needs their
// classes), so the module-scope `env` reads through to whatever was set last. It is kept on
// globalThis, not in a module variable: in a CommonJS project tsx compiles the shim again for
// require(), so this file may be loaded twice.
const SLOT = Symbol.for("weft.workerEnv");
const slots = globalThis as unknown as { [SLOT]?: Readonly<Record<string, unknown>> };
const current = (): Readonly<Record<string, unknown>> => slots[SLOT] ?? {};

export function setWorkerEnv(env: Readonly<Record<string, unknown>>): void {
	slots[SLOT] = env;
}

/** An object that reads through to the current env, so a module may hold it before the engine exists. */
export const workerEnv: Readonly<Record<string, unknown>> = new Proxy(Object.create(null) as Record<string, unknown>, {
	get: (_, key) => (typeof key === "string" ? current()[key] : undefined),
	has: (_, key) => key in current(),
	ownKeys: () => Reflect.ownKeys(current()),
	getOwnPropertyDescriptor: (_, key) => {
		const d = Reflect.getOwnPropertyDescriptor(current(), key);
		return d ? { ...d, configurable: true } : undefined;
	},
	set: () => false,
});
