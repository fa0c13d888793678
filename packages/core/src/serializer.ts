import { deserialize, serialize } from "node:v8";

/** 1 MiB: the most a step result, params or an event payload may take once encoded. */
export const MAX_VALUE_BYTES = 1024 * 1024;

/**
 * The one codec for params, step results, event payloads and journal entries: structured-clone
 * values (primitives, arrays, plain objects, Date, Map, Set, RegExp, typed arrays, undefined and
 * BigInt survive; functions and symbols are rejected).
 */
export interface Serializer {
	encode(value: unknown): Uint8Array;
	decode(bytes: Uint8Array): unknown;
}

const JSON_TAG = 0x4a; // "J"
const V8_TAG = 0xff; // the first byte V8's own format always starts with (its version tag)

/** `create()` without params is the common case: encode its undefined once. */
const UNDEFINED: Uint8Array = serialize(undefined);

/**
 * V8's structured clone (built into Node, so no dependency), with a fast path: a value that is
 * plain JSON — the common case for step results — is stored as tagged JSON text, which encodes
 * and decodes several times faster and allocates far less. Anything JSON would change (undefined,
 * -0, NaN, Dates, Maps, sparse arrays, class instances…) goes through V8. Decoding tells the two
 * apart by the first byte: V8's format always begins with 0xFF, JSON never does.
 */
export const v8Serializer: Serializer = {
	encode(value) {
		if (value === undefined) return UNDEFINED;
		if (isPlainJson(value, 0)) return Buffer.from(`J${JSON.stringify(value)}`);
		return serialize(value);
	},
	decode(bytes) {
		if (bytes[0] === JSON_TAG) return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1).toString());
		if (bytes[0] !== V8_TAG) throw new Error("cannot decode a value that was not written by Weft's serializer");
		return deserialize(bytes);
	},
};

/** True when JSON.stringify then JSON.parse gives back an equal structured clone. */
function isPlainJson(v: unknown, depth: number): boolean {
	if (depth > 64) return false;
	switch (typeof v) {
		case "string":
		case "boolean":
			return true;
		case "number":
			return Number.isFinite(v) && !Object.is(v, -0);
		case "object": {
			if (v === null) return true;
			if (Array.isArray(v)) {
				for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainJson(v[i], depth + 1)) return false;
				return true;
			}
			const proto = Object.getPrototypeOf(v);
			if (proto !== Object.prototype && proto !== null) return false;
			for (const key in v) if (!isPlainJson((v as Record<string, unknown>)[key], depth + 1)) return false;
			return Object.getOwnPropertySymbols(v).length === 0;
		}
		default:
			return false;
	}
}

/** True when the error is the structured-clone rejection of a value that cannot be stored. */
export function isCloneError(e: unknown): boolean {
	// V8's serializer says "could not be cloned" for a function or a symbol, and "Unserializable host
	// object" for a platform object such as a ReadableStream.
	return e instanceof Error && (e.name === "DataCloneError" || /could not be cloned|Unserializable host object/i.test(e.message));
}

/**
 * What `status().output` shows, as Cloudflare does: the value JSON-ified (a Date becomes its ISO
 * string, a Map or Set `{}`, a typed array "[Uint8Array(3 bytes)]", undefined keys dropped,
 * undefined itself null).
 */
export function toJsonValue(value: unknown): unknown {
	if (value === undefined) return null;
	const text = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
		if (ArrayBuffer.isView(v)) return `[${v.constructor.name}(${v.byteLength} bytes)]`;
		if (v instanceof ArrayBuffer) return `[ArrayBuffer(${v.byteLength} bytes)]`;
		if (typeof v === "bigint") return v.toString();
		return v;
	});
	return text === undefined ? null : JSON.parse(text);
}
