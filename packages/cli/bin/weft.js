#!/usr/bin/env node
// The `weft` bin. It is plain JavaScript, not compiled, so that npm links it on the first
// `npm install`, before anything is built; the command itself is dist/bin.js.
try {
	await import("../dist/bin.js");
} catch (e) {
	if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/bin.js")) {
		console.error("weft is not built yet: run `npm run build` in the Weft repository first");
		process.exitCode = 1;
	} else throw e;
}
