export { GroupCommit } from "./group-commit.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
