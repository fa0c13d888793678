// Vitest runs only the specs written for it, from TypeScript source: `*.spec.ts` files, never
// the node:test files (`*.test.ts`) nor their compiled copies under dist/.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["examples/*/*.spec.ts"],
		exclude: ["**/node_modules/**", "**/dist/**"],
	},
});
