import { randomFillSync } from "node:crypto";

const POOL_IDS = 1024;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Generated ids
 * sort by creation time, so inserting them appends to the (workflow, id) index instead of
 * touching a random page of it, which keeps deep-queue inserts and their commits small.
 * Within one millisecond, ordering is random; uniqueness rests on 74 random bits. Random bytes
 * are drawn 16 KiB at a time: one call per id costs more than the rest of a create.
 */
export function uuidv7(now: number): string {
	if (next === POOL_IDS) {
		randomFillSync(pool);
		next = 0;
	}
	const b = pool.subarray(16 * next, 16 * ++next);
	b.writeUIntBE(now, 0, 6);
	b[6] = 0x70 | ((b[6] as number) & 0x0f);
	b[8] = 0x80 | ((b[8] as number) & 0x3f);
	const h = b.toString("hex");
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
