export type { WorkflowInfo } from "./api-context.js";
export { type BannerInfo, formatBanner } from "./banner.js";
export { ConfigError } from "./config-error.js";
export { type Api, type ApiOptions, apiRoutes, createApi, MAX_BODY_BYTES } from "./create-api.js";
export { type CreationRate, CreationRateLimiter, DEFAULT_CREATION_RATE } from "./creation-rate-limiter.js";
export { CronTrigger, type CronTriggerOptions, type ScheduleState } from "./cron-trigger.js";
export { isPostgresUrl, type PostgresTarget, parsePostgresUrl, redactUrl } from "./database-url.js";
export { resolveEncryption } from "./encryption-config.js";
export { ERROR_STATUS, errorAnswer } from "./error-status.js";
export { CONFIG_FILES, findConfigFile, type LoadedConfig, type LoadedWorkflow, loadConfig, resolveDatabase } from "./load-config.js";
export { type OpenStoreOptions, openProjectEngine, openStore, type ProjectEngineOptions } from "./open-store.js";
export { OPENAPI_DOCUMENT } from "./openapi-document.js";
export {
	historyFiles,
	type ProjectReplay,
	type ReplayEachOptions,
	type ReplayStoredOptions,
	replayFiles,
	replayOne,
	replayStored,
} from "./replay-project.js";
export { RequestError } from "./request-error.js";
export { type DevOptions, runDev } from "./run-dev.js";
export { runStart } from "./run-start.js";
export { type RunningWorker, runWorker, startWorker, type WorkerOptions, type WorkerStats } from "./run-worker.js";
export { type ServeProjectOptions, type ServingProject, serveProject } from "./serve-project.js";
export { ServerError } from "./server-error.js";
export { isLoopback, type RunningServer, type ServerOptions, startServer } from "./start-server.js";
export {
	type CreationRateConfig,
	defineConfig,
	type EncryptionConfig,
	type RetentionConfig,
	type RetentionDuration,
	type WeftConfig,
	type WorkflowConfig,
} from "./weft-config.js";
