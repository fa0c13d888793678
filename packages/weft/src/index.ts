export * from "@weft/core";
export { SqliteStore, type SqliteStoreOptions } from "@weft/store-sqlite";
export { type CreateEngineOptions, createEngine } from "./create-engine.js";
