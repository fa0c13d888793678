export { type FuzzOptions, type FuzzReport, fuzzCrashes } from "./fuzz-crashes.js";
export { introspectWorkflow, introspectWorkflowInstance, WorkflowInstanceIntrospector, WorkflowIntrospector } from "./introspect.js";
export { type SimulationOptions, type SimulationReport, simulate } from "./simulate.js";
export { StepModifier, type StepSelector } from "./step-modifier.js";
export { createTestEngine, TestClock } from "./test-engine.js";
