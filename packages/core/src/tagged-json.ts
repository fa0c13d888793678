// A JSON form of structured-clone values that a person can read and that round-trips exactly:
// what JSON cannot say (undefined, -0, NaN, BigInt, Date, Map, Set, RegExp, bytes, errors, array
// holes) becomes an object tagged with "$weft". Used by exported histories.
import { ValidationError } from "./errors.js";

const TAG = "$weft";
type Tagged = { [TAG]: string; [k: string]: unknown };

export function toTaggedJson(v: unknown): unknown {
	if (v === undefined) return { [TAG]: "undefined" };
	if (v === null || typeof v === "string" || typeof v === "boolean") return v;
	if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0) ? v : { [TAG]: "number", value: Object.is(v, -0) ? "-0" : String(v) };
	if (typeof v === "bigint") return { [TAG]: "bigint", value: v.toString() };
	if (v instanceof Date) return { [TAG]: "Date", value: Number.isNaN(v.getTime()) ? null : v.toISOString() };
	if (v instanceof Map) return { [TAG]: "Map", value: [...v].map(([k, x]) => [toTaggedJson(k), toTaggedJson(x)]) };
	if (v instanceof Set) return { [TAG]: "Set", value: [...v].map(toTaggedJson) };
	if (v instanceof RegExp) return { [TAG]: "RegExp", source: v.source, flags: v.flags };
	if (v instanceof ArrayBuffer) return { [TAG]: "ArrayBuffer", value: Buffer.from(v).toString("base64") };
	if (ArrayBuffer.isView(v)) return { [TAG]: v.constructor.name, value: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
	if (v instanceof Error) return { [TAG]: "Error", name: v.name, message: v.message, ...(v.stack ? { stack: v.stack } : {}) };
	if (Array.isArray(v)) return Array.from({ length: v.length }, (_, i) => (i in v ? toTaggedJson(v[i]) : { [TAG]: "hole" }));
	if (typeof v === "object") {
		const out: Record<string, unknown> = {};
		for (const [k, x] of Object.entries(v)) out[k] = toTaggedJson(x);
		return TAG in v ? { [TAG]: "object", value: out } : out;
	}
	throw new ValidationError("history.unencodable", `a ${typeof v} cannot be written to a history`);
}

const TYPED: Record<string, (b: Buffer) => ArrayBufferView> = {
	Uint8Array: (b) => new Uint8Array(b),
	Buffer: (b) => new Uint8Array(b),
	Int8Array: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength),
	Uint8ClampedArray: (b) => new Uint8ClampedArray(b),
	Int16Array: (b) => new Int16Array(copy(b)),
	Uint16Array: (b) => new Uint16Array(copy(b)),
	Int32Array: (b) => new Int32Array(copy(b)),
	Uint32Array: (b) => new Uint32Array(copy(b)),
	Float32Array: (b) => new Float32Array(copy(b)),
	Float64Array: (b) => new Float64Array(copy(b)),
	BigInt64Array: (b) => new BigInt64Array(copy(b)),
	BigUint64Array: (b) => new BigUint64Array(copy(b)),
	DataView: (b) => new DataView(copy(b)),
};
const copy = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

export function fromTaggedJson(j: unknown): unknown {
	if (j === null || typeof j !== "object") return j;
	if (Array.isArray(j)) {
		const out: unknown[] = new Array(j.length);
		for (let i = 0; i < j.length; i++) {
			const x = j[i];
			if (i in j && !(x && typeof x === "object" && (x as Tagged)[TAG] === "hole")) out[i] = fromTaggedJson(x);
		}
		return out;
	}
	const t = j as Tagged;
	if (typeof t[TAG] !== "string") return fromTaggedObject(t);
	const value = t.value;
	switch (t[TAG]) {
		case "undefined":
			return undefined;
		case "number":
			return value === "-0" ? -0 : Number(value);
		case "bigint":
			return BigInt(String(value));
		case "Date":
			return new Date(value === null ? Number.NaN : String(value));
		case "Map":
			return new Map((value as [unknown, unknown][]).map(([k, x]) => [fromTaggedJson(k), fromTaggedJson(x)]));
		case "Set":
			return new Set((value as unknown[]).map(fromTaggedJson));
		case "RegExp":
			return new RegExp(String(t.source), String(t.flags));
		case "ArrayBuffer":
			return copy(Buffer.from(String(value), "base64"));
		case "Error":
			return Object.assign(new Error(String(t.message)), { name: String(t.name), ...(t.stack ? { stack: String(t.stack) } : {}) });
		case "object":
			return fromTaggedObject(value as Record<string, unknown>);
		default: {
			const make = TYPED[t[TAG]];
			if (make) return make(Buffer.from(String(value), "base64"));
			throw new ValidationError("history.invalid", `unknown value tag "${t[TAG]}" in the history`);
		}
	}
}

/** A plain object's properties decoded, in plain loops: replaying a history decodes thousands of them. */
function fromTaggedObject(o: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const k in o) {
		if (!Object.hasOwn(o, k)) continue;
		const x = fromTaggedJson(o[k]);
		// An own "__proto__" key (JSON.parse makes one) is data; assigning it would set the prototype.
		if (k === "__proto__") Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
		else out[k] = x;
	}
	return out;
}
