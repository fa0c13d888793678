#!/usr/bin/env node
// The `weft` executable. Failures print one line with their code and exit 1; a stack only
// appears for failures that are bugs (no code), or with WEFT_DEBUG=1.
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { paintErr } from "./style.js";

try {
	await buildProgram().parseAsync(process.argv);
} catch (e) {
	if (e instanceof CommanderError) {
		// Commander has printed its message (or the help/version it was asked for).
		process.exitCode = e.exitCode;
	} else {
		const error = e as { code?: unknown; message?: string; stack?: string };
		const coded = typeof error.code === "string";
		process.stderr.write(`${paintErr("red", `✘ ${coded ? `[${error.code}] ` : ""}${error.message ?? String(e)}`)}\n`);
		if (!coded || process.env.WEFT_DEBUG === "1") process.stderr.write(`${error.stack ?? ""}\n`);
		process.exitCode = 1;
	}
}
