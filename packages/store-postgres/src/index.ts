export { type Coalesced, PgGroupCommit, type Tx } from "./group-commit.js";
export { migrate } from "./migrate.js";
export { MIGRATIONS } from "./migrations.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export type { WakeListener } from "./wake-channel.js";
