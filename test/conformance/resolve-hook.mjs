// Resolves the conformance scenarios' bare specifier "weft-conformance-api" to Weft's package,
// so the scenario workflows import Weft's WorkflowEntrypoint and NonRetryableError unchanged.
const weft = new URL("../../packages/weft/dist/index.js", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
	if (specifier === "weft-conformance-api") return { url: weft, shortCircuit: true };
	return nextResolve(specifier, context);
}
