import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { storeConformance } from "@weft/core/store-conformance";
import { SqliteStore } from "./sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "weft-sqlite-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeConformance("SQLite file", () => new SqliteStore({ path: join(dir, `store-${n++}.db`) }));
