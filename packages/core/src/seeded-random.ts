// A small seeded PRNG (mulberry32) for tools that must repeat a choice from its seed: the
// simulation's faults, the fuzzer's in-body crash points, `weft replay --sample`.

/** Numbers in [0, 1), the same sequence for the same seed. Not for anything secret. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
