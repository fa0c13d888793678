// `npx weft dev` in this folder serves the thumbnail workflow alone (no upload endpoint: trigger
// it with params naming a file). `node examples/dist/07-thumbnails/serve.js` is the whole app.
import type { WeftConfig } from "@weft/server";

export default {
	main: "./workflow.ts",
	workflows: [{ name: "thumbnail", binding: "THUMBNAIL", class_name: "ThumbnailWorkflow", concurrency: { limit: 2 } }],
	vars: { THUMBS_DIR: ".weft/thumbs" },
} satisfies WeftConfig;
