// The burst's input: one line of JSON params per task, as `weft workflows trigger --batch` reads.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { TaskParams } from "./workflow.js";

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

/** Writes `count` lines of params to `path`, streaming so a million lines need no big string. */
export async function writeParamsFile(path: string, count: number): Promise<void> {
	const out = createWriteStream(path);
	for (let task = 1; task <= count; task++) {
		const params: TaskParams = { task, text: `${WORDS[task % WORDS.length]}-${task}` };
		if (!out.write(`${JSON.stringify(params)}\n`)) await once(out, "drain");
	}
	out.end();
	await once(out, "finish");
}
