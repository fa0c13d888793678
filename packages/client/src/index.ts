export type * from "./api-types.js";
export type * from "./observability-types.js";
export { parseSse, type SseMessage } from "./parse-sse.js";
export { RemoteInstance, type SubscribeOptions } from "./remote-instance.js";
export { type CreateOptions, RemoteWorkflow } from "./remote-workflow.js";
export { WeftApiError } from "./weft-api-error.js";
export { type RequestOptions, WeftClient, type WeftClientOptions } from "./weft-client.js";
