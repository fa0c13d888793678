// The dashboard is built into dist/app, which the server serves at /. Relative asset URLs keep
// the build working under any base path; dist/test (the compiled browser tests) is left alone.
import { defineConfig } from "vite";

export default defineConfig({
	root: "src",
	base: "./",
	oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
	build: {
		outDir: "../dist/app",
		emptyOutDir: true,
		target: "es2022",
		// One small bundle: no source maps shipped, no chunk-size noise for uPlot.
		sourcemap: false,
		reportCompressedSize: false,
	},
});
