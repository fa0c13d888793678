import { deserialize, serialize } from "node:v8";

/** 1 MiB: the most a step result, params or an event payload may take once encoded. */
export const MAX_VALUE_BYTES = 1024 * 1024;

/**
 * The one codec for params, step results, event payloads and journal entries: V8's structured
 * clone (primitives, arrays, plain objects, Date, Map, Set, RegExp, typed arrays, undefined and
 * BigInt survive; functions and symbols are rejected). Built into Node, so no dependency.
 */
export interface Serializer {
	encode(value: unknown): Uint8Array;
	decode(bytes: Uint8Array): unknown;
}

export const v8Serializer: Serializer = {
	encode: (value) => serialize(value),
	decode: (bytes) => deserialize(bytes),
};

/** True when the error is the structured-clone rejection of a value that cannot be stored. */
export function isCloneError(e: unknown): boolean {
	return e instanceof Error && (e.name === "DataCloneError" || /could not be cloned/i.test(e.message));
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
