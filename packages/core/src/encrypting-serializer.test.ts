// The encrypting codec on its own: values round-trip through it unchanged, carry the key id they
// were sealed with, keep opening after a rotation, and a wrong key or altered bytes give a typed
// error with a stable code instead of garbage.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { EncryptionError, encryptingSerializer, Keyring, SEALED_MAGIC } from "./encrypting-serializer.js";
import { v8Serializer } from "./serializer.js";

const K1 = randomBytes(32).toString("base64");
const K2 = randomBytes(32).toString("base64");
const codes = (code: string) => (e: unknown) => e instanceof EncryptionError && e.code === code;

/** The key id in a sealed value's header. */
function keyIdOf(bytes: Uint8Array): string {
	return Buffer.from(bytes.subarray(3, 3 + (bytes[2] as number))).toString("utf8");
}

describe("encryptingSerializer", () => {
	const codec = encryptingSerializer(v8Serializer, new Keyring({ keys: { k1: K1 }, current: "k1" }));

	test("round-trips what the inner serializer round-trips, JSON or structured clone", () => {
		const values = [
			undefined,
			null,
			"secret-marker",
			42,
			{ a: [1, "two", { three: true }] },
			new Date(0),
			new Map([["k", new Set([1n])]]),
			new Uint8Array([1, 2, 3]),
			"x".repeat(100_000),
		];
		for (const v of values) assert.deepEqual(codec.decode(codec.encode(v)), v);
	});

	test("a sealed value is header, IV, ciphertext and tag, with no plaintext in it", () => {
		const bytes = codec.encode({ note: "secret-marker" });
		assert.equal(bytes[0], SEALED_MAGIC);
		assert.equal(bytes[1], 1);
		assert.equal(keyIdOf(bytes), "k1");
		assert.equal(Buffer.from(bytes).indexOf("secret-marker"), -1);
		assert.equal(bytes.byteLength, 3 + 2 + 12 + v8Serializer.encode({ note: "secret-marker" }).byteLength + 16);
	});

	test("each encoding uses a fresh IV, so equal values do not give equal bytes", () => {
		assert.notDeepEqual(Buffer.from(codec.encode("same")), Buffer.from(codec.encode("same")));
	});

	test("after a rotation new values use the current key and old ones still open", () => {
		const old = codec.encode("written under k1");
		const rotated = encryptingSerializer(v8Serializer, new Keyring({ keys: { k1: K1, k2: K2 }, current: "k2" }));
		const fresh = rotated.encode("written under k2");
		assert.equal(keyIdOf(fresh), "k2");
		assert.equal(rotated.decode(old), "written under k1");
		assert.equal(rotated.decode(fresh), "written under k2");
	});

	test("a value under a key id the keyring lacks is encryption.unknown_key", () => {
		const onlyK2 = encryptingSerializer(v8Serializer, new Keyring({ keys: { k2: K2 }, current: "k2" }));
		assert.throws(() => onlyK2.decode(codec.encode("x")), codes("encryption.unknown_key"));
	});

	test("another key under the same id, or an altered byte, is encryption.bad_key", () => {
		const impostor = encryptingSerializer(v8Serializer, new Keyring({ keys: { k1: K2 }, current: "k1" }));
		assert.throws(() => impostor.decode(codec.encode("x")), codes("encryption.bad_key"));
		const bytes = Buffer.from(codec.encode("x"));
		for (const at of [3, 6, bytes.length - 20, bytes.length - 1]) {
			const altered = Buffer.from(bytes);
			altered[at] = (altered[at] as number) ^ 1;
			assert.throws(
				() => codec.decode(altered),
				(e) => e instanceof EncryptionError,
				`byte ${at}`,
			);
		}
		// The key id is authenticated: relabelling a value under another present key fails too.
		const both = encryptingSerializer(v8Serializer, new Keyring({ keys: { k1: K1, k2: K2 }, current: "k1" }));
		const relabelled = Buffer.from(both.encode("x"));
		relabelled[4] = "2".charCodeAt(0);
		assert.throws(() => both.decode(relabelled), codes("encryption.bad_key"));
	});

	test("a truncated value or an unknown layout version is encryption.malformed", () => {
		const bytes = codec.encode("x");
		assert.throws(() => codec.decode(bytes.subarray(0, 10)), codes("encryption.malformed"));
		const future = Buffer.from(bytes);
		future[1] = 9;
		assert.throws(() => codec.decode(future), codes("encryption.malformed"));
	});

	test("plaintext written before encryption was on opens, unless acceptPlaintext is false", () => {
		const plain = v8Serializer.encode({ old: true });
		assert.deepEqual(codec.decode(plain), { old: true });
		const strict = encryptingSerializer(v8Serializer, new Keyring({ keys: { k1: K1 }, current: "k1" }), { acceptPlaintext: false });
		assert.throws(() => strict.decode(plain), codes("encryption.not_encrypted"));
	});

	test("error records are sealed into a JSON-safe record and opened back whole", () => {
		const record = {
			name: "TypeError",
			message: "secret-marker",
			stack: "TypeError: secret-marker\n    at x",
			rollback: { outcome: "failed" as const, error: null },
		};
		const sealed = codec.sealError(record);
		const stored = JSON.parse(JSON.stringify(sealed));
		assert.equal(JSON.stringify(stored).includes("secret-marker"), false);
		assert.equal(stored.name, "EncryptedError");
		assert.deepEqual(codec.openError(stored), record);
		assert.deepEqual(codec.openError({ name: "Error", message: "plain" }), { name: "Error", message: "plain" });
	});
});

describe("Keyring", () => {
	test("refuses a key that is not 32 bytes of base64, naming the key id and not the key", () => {
		for (const bad of ["", "not base64!", randomBytes(16).toString("base64"), randomBytes(33).toString("base64")]) {
			assert.throws(
				() => new Keyring({ keys: { good: K1, "short-one": bad }, current: "good" }),
				(e: unknown) =>
					e instanceof EncryptionError && e.code === "encryption.invalid_key" && e.message.includes('"short-one"') && (bad === "" || !e.message.includes(bad)),
			);
		}
	});

	test("accepts URL-safe base64 and raw bytes", () => {
		const bytes = randomBytes(32);
		const a = encryptingSerializer(v8Serializer, new Keyring({ keys: { a: bytes.toString("base64url") }, current: "a" }));
		const b = encryptingSerializer(v8Serializer, new Keyring({ keys: { a: bytes }, current: "a" }));
		assert.equal(b.decode(a.encode("same key")), "same key");
	});

	test("refuses no keys, a bad id, or a current key that is not among them", () => {
		assert.throws(() => new Keyring({ keys: {}, current: "k1" }), codes("encryption.invalid_keyring"));
		assert.throws(() => new Keyring({ keys: { "bad id": K1 }, current: "bad id" }), codes("encryption.invalid_keyring"));
		assert.throws(() => new Keyring({ keys: { k1: K1 }, current: "k2" }), codes("encryption.invalid_keyring"));
	});
});
