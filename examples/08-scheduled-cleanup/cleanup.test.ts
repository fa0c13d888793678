// The scheduled cleanup: its project config served for real shows the next firing in
// `weft workflows list`; on a manual clock, a firing creates exactly one instance, which deletes
// exactly the sessions that expired before the firing time.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CronTrigger, serveProject } from "@weft/server";
import Database from "better-sqlite3";
import { createEngine, ManualClock, scheduledInstanceId } from "weft";
import { seedSessions } from "./app-database.js";
import config from "./weft.config.js";
import { type CleanupReport, cleanupWorkflows } from "./workflow.js";

const PROJECT = fileURLToPath(new URL("../../08-scheduled-cleanup/", import.meta.url));
const WEFT = fileURLToPath(new URL("../../../packages/cli/dist/bin.js", import.meta.url));
const CRON = config.workflows.find((w) => w.name === "session-cleanup")?.schedules as string;
const dir = mkdtempSync(join(tmpdir(), "weft-cleanup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("weft workflows list, against the example's own config served for real, shows the cleanup's next firing", async () => {
	assert.equal(CRON, "0 3 * * *");
	const project = await serveProject({ cwd: PROJECT, port: 0, database: join(dir, "served.db"), log: () => {} });
	try {
		const next = new Date();
		next.setUTCHours(3, 0, 0, 0);
		if (next.getTime() <= Date.now()) next.setUTCDate(next.getUTCDate() + 1);
		const { stdout } = await promisify(execFile)(process.execPath, [WEFT, "workflows", "list", "--url", project.url], {
			env: { ...process.env, NO_COLOR: "1" },
		});
		assert.match(stdout, /Next firing \(UTC\)/);
		const row = stdout.split("\n").find((l) => l.includes("session-cleanup"));
		assert.ok(row?.includes(`${next.toISOString().slice(0, 16).replace("T", " ")} (0 3 * * *)`), stdout);
	} finally {
		await project.close();
	}
});

test("a firing on a manual clock creates exactly one instance, which deletes the sessions expired before the firing", async () => {
	const firing = Date.UTC(2026, 0, 2, 3, 0);
	const appDb = join(dir, "app.db");
	const seeded = seedSessions(appDb, 2000, firing);
	const clock = new ManualClock(firing - 30_000);
	const engine = await createEngine({ database: join(dir, "weft.db"), clock, workflows: cleanupWorkflows, env: { APP_DB: appDb } });
	const trigger = new CronTrigger({ engine, workflows: [{ workflow: "session-cleanup", crons: [CRON] }], onError: (e, c) => assert.fail(`${c}: ${e}`) });
	try {
		await trigger.start();
		assert.deepEqual(trigger.describe("session-cleanup"), [{ cron: CRON, next: "2026-01-02T03:00:00.000Z" }]);
		assert.equal((await engine.listInstances("session-cleanup")).instances.length, 0, "nothing fires before 03:00");

		await clock.advance(30_000);
		await trigger.flush();
		const ids = (await engine.listInstances("session-cleanup")).instances.map((i) => i.id);
		assert.deepEqual(ids, [scheduledInstanceId(CRON, firing)], "one instance for the firing");
		const instance = await engine.bindings.CLEANUP.get(ids[0] as string);
		for (let i = 0; i < 500 && (await instance.status()).status !== "complete"; i++) await clock.advance(10);
		const report = (await instance.status()).output as CleanupReport;
		assert.deepEqual(report, { cutoff: "2026-01-02T03:00:00.000Z", scheduled: true, deleted: seeded.expired, remaining: 2000 - seeded.expired });

		const db = new Database(appDb, { readonly: true });
		try {
			assert.equal((db.prepare("SELECT count(*) AS n FROM sessions WHERE expires_at < ?").get(firing) as { n: number }).n, 0);
		} finally {
			db.close();
		}
		const steps = (await instance.details()).steps.map((s) => (s.type === "termination" ? s.type : s.name));
		assert.deepEqual(steps, ["count expired sessions", "delete batch 1", "delete batch 2", "optimize and report"]);
		assert.deepEqual(trigger.describe("session-cleanup"), [{ cron: CRON, next: "2026-01-03T03:00:00.000Z" }]);
		assert.equal((await engine.listInstances("session-cleanup")).instances.length, 1, "still exactly one");
	} finally {
		await trigger.close();
		await engine.close();
	}
});

test("a missing or wrong APP_DB ends the run at once with what to fix", async () => {
	for (const [env, message] of [
		[{}, /^APP_DB is not set: name the app's SQLite file/],
		[{ APP_DB: join(dir, "nope.db") }, /^cannot open the app database .*nope\.db: unable to open database file/],
	] as const) {
		const engine = await createEngine({ database: join(dir, `bad-${Object.keys(env).length}.db`), workflows: cleanupWorkflows, env });
		try {
			const instance = await engine.bindings.CLEANUP.create();
			let status = await instance.status();
			while (status.status !== "errored" && status.status !== "complete") {
				await new Promise((r) => setTimeout(r, 10));
				status = await instance.status();
			}
			assert.equal(status.error?.name, "NonRetryableError");
			assert.match(status.error?.message ?? "", message);
		} finally {
			await engine.close();
		}
	}
});
