// The Weft adapter for ../shared/conformance (Cloudflare's behaviour as 41 black-box scenarios).
// Run it with:  ../shared/conformance/run --target-module test/conformance/target.mjs
// It starts an in-process engine on a fresh SQLite file, registers the scenario workflows under
// the names and bindings of scenarios/registry.js, and drives the bindings exactly as user code
// would, letting Weft's own errors through unchanged. WEFT_CONFORMANCE_VARIANT=legacy-nre runs it
// as Cloudflare runs without its workflows_preserve_non_retryable_error_message flag (compared with
// results/cloudflare-legacy-nre.json).
import { mkdtempSync, rmSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

register("./resolve-hook.mjs", import.meta.url);

/**
 * Scenarios Weft does not match yet, each with the reason. The conformance test fails when a
 * scenario outside this list fails, and when one on it starts passing (so the list only shrinks).
 */
export const knownFailures = {};

export async function createTarget({ root, log = () => {} }) {
	const { createEngine } = await import("../../packages/weft/dist/index.js");
	const classes = await import(pathToFileURL(join(root, "scenarios/workflows/index.js")).href);
	const { workflows } = await import(pathToFileURL(join(root, "scenarios/registry.js")).href);
	const dir = mkdtempSync(join(tmpdir(), "weft-conformance-"));
	const engine = await createEngine({
		database: join(dir, "conformance.db"),
		workflows: Object.fromEntries(workflows.map((w) => [w.binding, { name: w.name, class: classes[w.className] }])),
		onError: (e, context) => log(`engine error (${context}): ${e?.stack ?? e}`),
		preserveNonRetryableErrorMessage: process.env.WEFT_CONFORMANCE_VARIANT !== "legacy-nre",
	});
	const binding = (name) => engine.bindings[name];
	const instance = (name, id) => binding(name).get(id);
	return {
		describe: { target: "weft", engine: "weft, embedded SQLite (in-process bindings)", versions: { node: process.versions.node } },
		create: async (name, options) => ({ id: (await binding(name).create(options)).id }),
		createBatch: (name, batch) => binding(name).createBatch(batch),
		get: async (name, id) => ({ id: (await instance(name, id)).id }),
		status: async (name, id) => (await instance(name, id)).status(),
		pause: async (name, id) => (await instance(name, id)).pause(),
		resume: async (name, id) => (await instance(name, id)).resume(),
		terminate: async (name, id, options) => (await instance(name, id)).terminate(options),
		restart: async (name, id, options) => (await instance(name, id)).restart(options),
		sendEvent: async (name, id, event) => (await instance(name, id)).sendEvent(event),
		async close() {
			await engine.close({ graceMs: 500 });
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
