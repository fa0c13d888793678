// `weft replay`: recorded histories (files, or instances read from a store) replayed against the
// project's current code, one result per history. Nothing is written anywhere: histories come
// from files or a store opened read-only, and replay itself writes nothing (docs/replay.md).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
	type History,
	type InstanceStatusName,
	parseHistory,
	type ReplayResult,
	replayHistory,
	type StepRequest,
	type Store,
	sealErrorRecords,
	seededRandom,
	toHistory,
	WeftError,
} from "@weft/core";
import { SqliteStore } from "weft";
import { isDatabaseUrl, isPostgresUrl, unsupported } from "./database-url.js";
import { projectSerializer } from "./encryption-config.js";
import type { LoadedConfig, LoadedWorkflow } from "./load-config.js";
import { openStore } from "./open-store.js";

export interface ProjectReplay {
	/** Where the history came from: a file path, or `workflow/id` of a stored instance. */
	source: string;
	workflow: string | null;
	instanceId: string | null;
	/** null when the history could not be replayed at all (see `error`). */
	result: ReplayResult | null;
	error: { code: string; message: string } | null;
}

export interface ReplayStoredOptions {
	/** A SQLite file (opened read-only) or a PostgreSQL URL. */
	database: string;
	workflow: string;
	status?: InstanceStatusName | undefined;
	/** Only instances created by this version of the code. */
	version?: string | undefined;
	/** Replay this many instances picked at random (reservoir sampling over the listing) instead of all. */
	sample?: number | undefined;
	/** Seed of the sampling, so a run can be repeated. */
	seed?: number | undefined;
}

export interface ReplayEachOptions {
	/** Hears each step the history answers (for `weft instances replay --verbose`). */
	onServed?: (request: StepRequest, history: History) => void;
}

/** Every `.json` file named, and those in the folders named (recursively), sorted. */
export function historyFiles(paths: string[]): string[] {
	const out: string[] = [];
	const walk = (p: string) => {
		if (!statSync(p, { throwIfNoEntry: false })) throw new WeftError("replay.file_not_found", `${p} does not exist`);
		if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
		else if (p.endsWith(".json") || paths.includes(p)) out.push(p);
	};
	for (const p of paths) walk(p);
	return out;
}

/** Replays history files against the project's code. */
export async function* replayFiles(loaded: LoadedConfig, files: string[], options: ReplayEachOptions = {}): AsyncGenerator<ProjectReplay> {
	for (const file of files) {
		let history: History;
		try {
			history = parseHistory(JSON.parse(readFileSync(file, "utf8")));
		} catch (e) {
			yield failed(file, e instanceof SyntaxError ? new WeftError("history.invalid", `not JSON: ${e.message}`) : e);
			continue;
		}
		yield replayOne(loaded, file, history, options);
	}
}

/** Replays a workflow's stored instances (all, or a sample) straight from a store, read-only. */
export async function* replayStored(loaded: LoadedConfig, o: ReplayStoredOptions, options: ReplayEachOptions = {}): AsyncGenerator<ProjectReplay> {
	workflowOf(loaded, o.workflow);
	// Through the project's codec: with encryption on, the journal and error records are sealed.
	const serializer = projectSerializer(loaded.encryption);
	const store = sealErrorRecords(await openReadOnly(o.database), serializer);
	try {
		const ids = await listIds(store, o);
		for (const id of ids) {
			const key = { workflow: o.workflow, id };
			const record = await store.getInstance(key);
			if (!record) continue;
			const history = toHistory(record, await store.readJournal(key), serializer, Date.now());
			yield replayOne(loaded, `${o.workflow}/${id}`, history, options);
		}
	} finally {
		await store.close();
	}
}

/** One history against the project's class for its workflow. */
export async function replayOne(loaded: LoadedConfig, source: string, history: History, options: ReplayEachOptions = {}): Promise<ProjectReplay> {
	try {
		const workflow = workflowOf(loaded, history.workflow);
		const result = await replayHistory(workflow.class, history, {
			env: loaded.config.vars ?? {},
			...(options.onServed ? { onServed: (r: StepRequest) => options.onServed?.(r, history) } : {}),
		});
		return { source, workflow: history.workflow, instanceId: history.instanceId, result, error: null };
	} catch (e) {
		return { ...failed(source, e), workflow: history.workflow, instanceId: history.instanceId };
	}
}

function workflowOf(loaded: LoadedConfig, name: string): LoadedWorkflow {
	const w = loaded.workflows.find((x) => x.name === name);
	if (!w)
		throw new WeftError(
			"replay.unknown_workflow",
			`the history is of workflow "${name}", which ${loaded.path} does not define; it defines ${loaded.workflows.map((x) => `"${x.name}"`).join(", ") || "none"}`,
		);
	return w;
}

function failed(source: string, e: unknown): ProjectReplay {
	const error = e instanceof WeftError ? { code: e.code, message: e.message } : { code: "internal", message: String((e as Error)?.message ?? e) };
	return { source, workflow: null, instanceId: null, result: null, error };
}

async function openReadOnly(database: string): Promise<Store> {
	if (isPostgresUrl(database)) return openStore(database, { poolSize: 2, applicationName: "weft replay" });
	if (isDatabaseUrl(database)) throw unsupported(database);
	if (!statSync(database, { throwIfNoEntry: false })) throw new WeftError("replay.file_not_found", `the database ${database} does not exist`);
	return new SqliteStore({ path: database, readonly: true });
}

/** The ids to replay: every listed instance, or a seeded random sample of them. */
async function listIds(store: Store, o: ReplayStoredOptions): Promise<string[]> {
	const random = seededRandom(o.seed ?? 1);
	const picked: string[] = [];
	let seen = 0;
	let after: { createdAt: number; id: string } | undefined;
	for (;;) {
		const page = await store.listInstances({
			workflow: o.workflow,
			limit: 1000,
			...(after ? { after } : {}),
			...(o.status ? { status: o.status } : {}),
			...(o.version ? { version: o.version } : {}),
		});
		for (const r of page.instances) {
			seen++;
			if (o.sample === undefined || picked.length < o.sample) picked.push(r.id);
			else {
				const j = Math.floor(random() * seen);
				if (j < o.sample) picked[j] = r.id;
			}
		}
		if (!page.next) return picked;
		after = page.next;
	}
}
