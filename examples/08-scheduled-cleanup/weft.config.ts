// `npx weft dev` in this folder: the session cleanup runs every day at 03:00 UTC, and
// `weft workflows list` shows when it fires next. Change the schedule to "* * * * *" to see a
// firing within the minute (weft dev reloads the config).
import type { WeftConfig } from "@weft/server";

export default {
	main: "./workflow.ts",
	workflows: [
		{ name: "session-cleanup", binding: "CLEANUP", class_name: "SessionCleanup", schedules: "0 3 * * *", concurrency: { limit: 1 } },
		{ name: "seed-sessions", binding: "SEED", class_name: "SeedSessions" },
	],
	vars: { APP_DB: ".weft/app.db" },
} satisfies WeftConfig;
