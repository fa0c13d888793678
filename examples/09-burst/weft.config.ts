// `npx weft start` (or `weft dev`) in this folder: `burst-task` drains 50 at a time.
import type { WeftConfig } from "@weft/server";

export default {
	main: "./workflow.ts",
	workflows: [
		{ name: "burst-task", binding: "TASK", class_name: "BurstTask", concurrency: { limit: 50 } },
		{ name: "peak-report", binding: "PEAK", class_name: "PeakReport" },
	],
	// A burst is the point: no per-workflow creation limit (the default is 100/s with bursts of 200).
	creationRate: false,
	// One log line per problem, not per instance.
	logs: { level: "warn" },
} satisfies WeftConfig;
