// A benchmark worker process: what `weft worker` runs (an engine on a shared PostgreSQL schema,
// sharedByWorkers, no HTTP), with the benchmark's workflows. Started by bench/postgres.mjs over
// IPC: it says "ready" once claiming, and on "stop" closes the engine and reports its counters.
import { PostgresStore } from "@weft/store-postgres";
import { Engine } from "weft";
import { ThreeSteps } from "./workloads.mjs";

const [url, schema, poolSize] = process.argv.slice(2);
try {
	const store = await PostgresStore.open({ connectionString: url, schema, poolSize: Number(poolSize ?? 6), sharedByWorkers: true });
	const engine = new Engine({ store, workflows: { THREE: ThreeSteps }, onError: (e, context) => console.error(`[bench worker] ${context}:`, e) });
	await engine.start();
	process.on("message", async (m) => {
		if (m?.type !== "stop") return;
		await engine.close({ graceMs: 1000 });
		const { batches, writes } = store.writes;
		process.send({ type: "stopped", stats: { commits: batches, writes, stale_writes_rejected: store.staleWritesRejected } }, () => process.exit(0));
	});
	process.send({ type: "ready" });
} catch (e) {
	process.send?.({ type: "failed", message: e?.message ?? String(e) });
	process.exit(1);
}
