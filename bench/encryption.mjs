#!/usr/bin/env node
// node bench/encryption.mjs [--instances 2000] [--rounds 3]
// What encryption at rest costs (docs/encryption.md): the codec alone (µs per encode and decode,
// v8Serializer vs encryptingSerializer over it) and the steps workload (three steps per
// instance) run plain and encrypted in alternating rounds, so both see the same machine state. A
// benchmark, not a test: nothing here asserts a speed.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createEngine, encryptingSerializer, Keyring, v8Serializer } from "weft";
import { percentile, round, ThreeSteps } from "./workloads.mjs";

const { values } = parseArgs({ options: { instances: { type: "string", default: "2000" }, rounds: { type: "string", default: "3" } } });
const n = Number(values.instances);
const rounds = Number(values.rounds);
const encryption = { keys: { k1: randomBytes(32).toString("base64") }, current: "k1" };

function perCall(fn, calls) {
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < calls; i++) fn();
	return Number(process.hrtime.bigint() - t0) / 1e3 / calls;
}

function codec() {
	const sealed = encryptingSerializer(v8Serializer, new Keyring(encryption));
	const samples = {
		small_result: { ok: true, n: 42 },
		attempt_entry: {
			kind: "attempt",
			key: "do:charge#1",
			name: "charge",
			count: 1,
			attempt: 1,
			startedAt: 1,
			endedAt: 2,
			ok: true,
			value: { charged: 42 },
			final: true,
		},
		json_1kib: { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, price: i * 1.5 })) },
		json_64kib: { blob: "x".repeat(64 * 1024) },
	};
	const out = {};
	for (const [name, value] of Object.entries(samples)) {
		const calls = name === "json_64kib" ? 2000 : 50_000;
		const plainBytes = v8Serializer.encode(value);
		const sealedBytes = sealed.encode(value);
		const m = { plain_encode: [], sealed_encode: [], plain_decode: [], sealed_decode: [] };
		for (let r = 0; r < 5; r++) {
			m.plain_encode.push(perCall(() => v8Serializer.encode(value), calls));
			m.sealed_encode.push(perCall(() => sealed.encode(value), calls));
			m.plain_decode.push(perCall(() => v8Serializer.decode(plainBytes), calls));
			m.sealed_decode.push(perCall(() => sealed.decode(sealedBytes), calls));
		}
		out[name] = {
			bytes: [plainBytes.byteLength, sealedBytes.byteLength],
			...Object.fromEntries(
				Object.entries(m).map(([k, v]) => [
					`${k}_us`,
					round(
						percentile(
							v.sort((a, b) => a - b),
							50,
						),
					),
				]),
			),
		};
	}
	return out;
}

async function steps(encrypted) {
	const dir = mkdtempSync(join(tmpdir(), "weft-bench-enc-"));
	const engine = await createEngine({
		database: join(dir, "bench.db"),
		workflows: { THREE: ThreeSteps },
		onError: console.error,
		...(encrypted ? { encryption } : {}),
	});
	try {
		const t0 = performance.now();
		for (let i = 0; i < n; i += 100) await engine.bindings.THREE.createBatch(Array.from({ length: Math.min(100, n - i) }, () => ({})));
		for (;;) {
			const [w] = await engine.listWorkflows();
			if ((w.instances.complete ?? 0) === n) break;
			await new Promise((r) => setTimeout(r, 5));
		}
		return (3 * n) / ((performance.now() - t0) / 1000);
	} finally {
		await engine.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

const plain = [];
const sealed = [];
for (let r = 0; r < rounds; r++) {
	plain.push(await steps(false));
	sealed.push(await steps(true));
}
const median = (a) =>
	percentile(
		[...a].sort((x, y) => x - y),
		50,
	);
console.log(
	JSON.stringify({
		codec: codec(),
		steps: {
			instances: n,
			rounds,
			plain_steps_per_s: plain.map(Math.round),
			encrypted_steps_per_s: sealed.map(Math.round),
			median_change_pct: round((100 * (median(sealed) - median(plain))) / median(plain)),
		},
	}),
);
