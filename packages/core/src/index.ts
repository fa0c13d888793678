export { Activation } from "./activation.js";
export { instanceTraceIds, TRACER_NAME } from "./activation-trace.js";
export { AttemptLogs, type LogCapture, type LogLine, MAX_LOG_BYTES, MAX_LOG_LINES } from "./attempt-logs.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export { codeVersion, hashVersion } from "./code-version.js";
export { type ConsoleCaptureOptions, consoleCapture } from "./console-capture.js";
export { type DurationUnit, parseDuration, tryParseDuration, type WorkflowDuration } from "./duration.js";
export {
	type EncryptingSerializer,
	type EncryptingSerializerOptions,
	EncryptionError,
	encryptingSerializer,
	isEncryptingSerializer,
	Keyring,
	type KeyringOptions,
	sealErrorRecords,
} from "./encrypting-serializer.js";
export {
	type BindingOf,
	type Bindings,
	Engine,
	type EngineOptions,
	type ForkOptions,
	type InstanceStatus,
	type OutputOf,
	type ParamsOf,
	type RestartOptions,
	type TerminateOptions,
	type WorkflowMap,
	type WorkflowRegistration,
} from "./engine.js";
export type { ActivationEnd, ActivationInfo, AttemptReport, EngineObserver, TimerReport } from "./engine-observer.js";
export {
	type ErrorRecord,
	InstanceNotFoundError,
	LeaseLostError,
	NonRetryableDelayError,
	NonRetryableError,
	SleepInPastError,
	ValidationError,
	WeftError,
	WorkflowError,
	WorkflowFatalError,
	WorkflowTimeoutError,
} from "./errors.js";
export { HISTORY_FORMAT, HISTORY_VERSION, type History, parseHistory, toHistory } from "./history.js";
export type { InstanceSummary, ListInstancesOptions } from "./inspection.js";
export type { SubscribeOptions, WorkflowInstanceEvent, WorkflowInstanceEventType } from "./instance-events.js";
export { type InstanceRowColumns, instanceRecordOf, neverWritten } from "./instance-row.js";
export { type JournalEntry, type StepKind, stepKey } from "./journal.js";
export { isValidInstanceId, NAME_PATTERN } from "./names.js";
export { type Divergence, type DivergenceKind, type ReplayOptions, type ReplayResult, replayHistory } from "./replay-history.js";
export { PURGE_BATCH, type RetentionConfig } from "./retention-purge.js";
export { type ChildOutcome, ChildWorkflowError, type RunChildOptions, runChild } from "./run-child.js";
export { MAX_CRON_LENGTH, scheduledInstanceId, scheduleOfInstanceId, type WorkflowSchedule } from "./schedule-instance-id.js";
export { seededRandom } from "./seeded-random.js";
export { MAX_VALUE_BYTES, type Serializer, toJsonValue, v8Serializer } from "./serializer.js";
export { DEFAULT_STEP_CONFIG, REDACTED, type ResolvedStepConfig, type WorkflowBackoff, type WorkflowStepConfig } from "./step-config.js";
export type { ReplayObserver, StepInterceptor, StepRequest } from "./step-hooks.js";
export * from "./store.js";
export { fromTaggedJson, toTaggedJson } from "./tagged-json.js";
export type { InstanceDetails, StepAttempt, TimelineItem } from "./timeline.js";
export {
	BATCH_ERROR,
	type BatchError,
	bindingOwner,
	MAX_BATCH_SIZE,
	WorkflowBinding,
	WorkflowInstance,
	type WorkflowInstanceCreateOptions,
} from "./workflow-binding.js";
export {
	type AnyWorkflowClass,
	type WorkflowClass,
	WorkflowEntrypoint,
	type WorkflowEvent,
	type WorkflowExecutionContext,
	type WorkflowStep,
	type WorkflowStepContext,
	type WorkflowStepEvent,
} from "./workflow-entrypoint.js";
