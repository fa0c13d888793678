// `node examples/dist/golden/record.js`: runs every example once and writes each instance's
// history to examples/golden/histories/<workflow>/<n>.json, the golden files CI replays against
// the examples' current code (golden.test.ts). Re-record after a deliberate change of an example.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withTempEngine } from "../shared/temp-engine.js";
import { EXAMPLE_DRIVERS, EXAMPLE_WORKFLOWS } from "./examples.js";

const OUT = fileURLToPath(new URL("../../golden/histories/", import.meta.url));

rmSync(OUT, { recursive: true, force: true });
await withTempEngine(EXAMPLE_WORKFLOWS, async (engine) => {
	for (const drive of EXAMPLE_DRIVERS) await drive(engine);
	for (const { name } of await engine.listWorkflows()) {
		const { instances } = await engine.listInstances(name, { limit: 1000 });
		// Oldest first, numbered, so re-recording names the same runs the same way.
		for (const [n, summary] of [...instances].reverse().entries()) {
			const history = await engine.exportHistory({ workflow: name, id: summary.id });
			mkdirSync(join(OUT, name), { recursive: true });
			writeFileSync(join(OUT, name, `${n + 1}.json`), `${JSON.stringify(history, null, "\t")}\n`);
		}
	}
});
console.log(`golden histories written to ${OUT}`);
