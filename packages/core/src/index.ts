export { Activation } from "./activation.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export { type DurationUnit, parseDuration, tryParseDuration, type WorkflowDuration } from "./duration.js";
export {
	type Bindings,
	Engine,
	type EngineOptions,
	type InstanceStatus,
	type ParamsOf,
	type RestartOptions,
	type WorkflowMap,
	type WorkflowRegistration,
} from "./engine.js";
export {
	type ErrorRecord,
	InstanceNotFoundError,
	LeaseLostError,
	NonRetryableError,
	SleepInPastError,
	ValidationError,
	WeftError,
	WorkflowError,
	WorkflowFatalError,
	WorkflowTimeoutError,
} from "./errors.js";
export { HISTORY_FORMAT, HISTORY_VERSION, type History, parseHistory } from "./history.js";
export { type JournalEntry, type StepKind, stepKey } from "./journal.js";
export { isValidInstanceId, NAME_PATTERN } from "./names.js";
export { type Divergence, type DivergenceKind, type ReplayOptions, type ReplayResult, replayHistory } from "./replay-history.js";
export { MAX_VALUE_BYTES, type Serializer, toJsonValue, v8Serializer } from "./serializer.js";
export { DEFAULT_STEP_CONFIG, type ResolvedStepConfig, type WorkflowBackoff, type WorkflowStepConfig } from "./step-config.js";
export type { ReplayObserver, StepInterceptor, StepRequest } from "./step-hooks.js";
export * from "./store.js";
export { fromTaggedJson, toTaggedJson } from "./tagged-json.js";
export type { InstanceDetails, TimelineItem } from "./timeline.js";
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
