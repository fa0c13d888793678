// Encryption at rest (docs/encryption.md): a Serializer that seals every value the engine stores
// (params, step results, event payloads, outputs, journal entries) with AES-256-GCM, and a Store
// decorator that seals the one thing that does not go through the serializer: the instance's
// `error` column, which stores keep as JSON. Stores never see a key and never change.
import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
import { type ErrorRecord, WeftError } from "./errors.js";
import type { Serializer } from "./serializer.js";
import type { InstanceRecord, Store } from "./store.js";

/**
 * First byte of a sealed value. The inner serializer's values start with "J" (0x4A) or 0xFF, so
 * a sealed value is told apart from a plaintext one by this byte alone.
 */
export const SEALED_MAGIC = 0xec;
/** Layout version, second byte: a new layout gets a new number, old values keep decoding. */
export const SEALED_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A value that cannot be sealed or opened, or a keyring that cannot be built. Codes:
 * `encryption.invalid_key` (not 32 bytes of base64), `encryption.invalid_keyring` (no keys, bad
 * id, `current` not among the keys), `encryption.unknown_key` (the value names a key id the
 * keyring does not hold), `encryption.bad_key` (the tag does not verify: another key under that
 * id, or altered bytes), `encryption.malformed` (truncated or not written by this codec),
 * `encryption.not_encrypted` (plaintext where `acceptPlaintext: false` wants sealed values).
 */
export class EncryptionError extends WeftError {
	override name = "EncryptionError";
}

export interface KeyringOptions {
	/** Key id → 32 bytes, as base64 text (standard or URL-safe alphabet) or as bytes. */
	keys: Record<string, string | Uint8Array>;
	/** The id new values are sealed with; the others only open values written under them. */
	current: string;
}

/** The keys, checked once: each 32 bytes, ids of 1–64 letters, digits, "_", "." or "-". */
export class Keyring {
	readonly current: string;
	readonly #keys = new Map<string, Buffer>();
	/** Per key id: the header a sealed value starts with (magic, version, id length, id), also its AAD. */
	readonly #headers = new Map<string, Buffer>();

	constructor(options: KeyringOptions) {
		const entries = Object.entries(options?.keys ?? {});
		if (entries.length === 0) throw new EncryptionError("encryption.invalid_keyring", "the encryption keyring has no keys");
		for (const [id, value] of entries) {
			if (!KEY_ID.test(id))
				throw new EncryptionError("encryption.invalid_keyring", `encryption key id ${JSON.stringify(id)} must be 1–64 letters, digits, "_", "." or "-"`);
			this.#keys.set(id, parseKey(id, value));
			const idBytes = Buffer.from(id, "utf8");
			this.#headers.set(id, Buffer.concat([Buffer.from([SEALED_MAGIC, SEALED_VERSION, idBytes.length]), idBytes]));
		}
		if (typeof options.current !== "string" || !this.#keys.has(options.current))
			throw new EncryptionError(
				"encryption.invalid_keyring",
				`the current encryption key ${JSON.stringify(options.current)} is not among the keys (${[...this.#keys.keys()].join(", ")})`,
			);
		this.current = options.current;
	}

	get ids(): string[] {
		return [...this.#keys.keys()];
	}

	key(id: string): Buffer | undefined {
		return this.#keys.get(id);
	}

	header(id: string): Buffer {
		return this.#headers.get(id) as Buffer;
	}
}

/** The 32 key bytes, or an EncryptionError naming the key id (never the key). */
function parseKey(id: string, value: string | Uint8Array): Buffer {
	let bytes: Buffer | null = null;
	if (value instanceof Uint8Array) bytes = Buffer.from(value);
	else if (typeof value === "string" && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) bytes = Buffer.from(value.trim(), "base64");
	if (bytes?.length !== KEY_BYTES)
		throw new EncryptionError(
			"encryption.invalid_key",
			`encryption key "${id}" must be ${KEY_BYTES} bytes written as base64${bytes ? ` (it is ${bytes.length} bytes)` : ""}; make one with: openssl rand -base64 32`,
		);
	return bytes;
}

export interface EncryptingSerializerOptions {
	/**
	 * Open values that were written before encryption was turned on (no sealed header) with the
	 * inner serializer (default true), so an existing database keeps working; false refuses them
	 * with `encryption.not_encrypted`.
	 */
	acceptPlaintext?: boolean;
}

/** A Serializer that also seals the error records kept outside it (see sealErrorRecords). */
export interface EncryptingSerializer extends Serializer {
	readonly keyring: Keyring;
	sealError(error: ErrorRecord): ErrorRecord;
	openError(error: ErrorRecord): ErrorRecord;
}

/** What a sealed ErrorRecord looks like in the `error` column: placeholders, and the record sealed. */
interface SealedErrorRecord extends ErrorRecord {
	sealed: string;
}

const SEALED_ERROR_NAME = "EncryptedError";

/**
 * Wraps `inner`: encode() seals inner.encode(value) under the keyring's current key; decode()
 * opens a value under whichever key id its header names, so values written before a rotation
 * keep decoding. Layout: magic, version, id length, id (UTF-8), 12-byte IV, ciphertext, 16-byte
 * tag; the header before the IV is authenticated too, so a value cannot be relabelled.
 */
export function encryptingSerializer(inner: Serializer, keyring: Keyring, options: EncryptingSerializerOptions = {}): EncryptingSerializer {
	const acceptPlaintext = options.acceptPlaintext ?? true;
	const ivs = new IvPool();
	const seal = (plain: Uint8Array): Buffer => {
		const id = keyring.current;
		const header = keyring.header(id);
		const out = Buffer.allocUnsafe(header.length + IV_BYTES + plain.byteLength + TAG_BYTES);
		header.copy(out, 0);
		const iv = out.subarray(header.length, header.length + IV_BYTES);
		ivs.fill(iv);
		const cipher = createCipheriv("aes-256-gcm", keyring.key(id) as Buffer, iv);
		cipher.setAAD(header);
		let at = header.length + IV_BYTES;
		at += cipher.update(plain).copy(out, at);
		at += cipher.final().copy(out, at);
		cipher.getAuthTag().copy(out, at);
		return out;
	};
	const open = (bytes: Uint8Array): Uint8Array => {
		const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		if (b.length < 3) throw malformed("it is too short");
		if (b[1] !== SEALED_VERSION)
			throw new EncryptionError("encryption.malformed", `this value was sealed with layout version ${b[1]}, which this version of Weft cannot open`);
		const idEnd = 3 + (b[2] as number);
		if (b.length < idEnd + IV_BYTES + TAG_BYTES) throw malformed("it is too short");
		const id = b.toString("utf8", 3, idEnd);
		const key = keyring.key(id);
		if (!key)
			throw new EncryptionError(
				"encryption.unknown_key",
				`this value was encrypted with key "${id}", which is not in the keyring (${keyring.ids.join(", ")}); add that key to decrypt it`,
			);
		const decipher = createDecipheriv("aes-256-gcm", key, b.subarray(idEnd, idEnd + IV_BYTES));
		decipher.setAAD(b.subarray(0, idEnd));
		decipher.setAuthTag(b.subarray(b.length - TAG_BYTES));
		const body = decipher.update(b.subarray(idEnd + IV_BYTES, b.length - TAG_BYTES));
		try {
			decipher.final();
		} catch (cause) {
			// Nothing of `body` escapes: unauthenticated plaintext is garbage or an attacker's.
			throw new EncryptionError(
				"encryption.bad_key",
				`this value does not decrypt with key "${id}": the keyring holds another key under that id, or the stored bytes were altered`,
				{ cause },
			);
		}
		return body;
	};
	const serializer: EncryptingSerializer = {
		keyring,
		encode(value) {
			return seal(inner.encode(value));
		},
		decode(bytes) {
			if (bytes[0] === SEALED_MAGIC) return inner.decode(open(bytes));
			if (!acceptPlaintext)
				throw new EncryptionError("encryption.not_encrypted", "this value is not encrypted, and the encryption option acceptPlaintext is false");
			return inner.decode(bytes);
		},
		sealError(error) {
			const sealed: SealedErrorRecord = { name: SEALED_ERROR_NAME, message: "(encrypted)", sealed: seal(inner.encode(error)).toString("base64") };
			return sealed;
		},
		openError(error) {
			const sealed = (error as Partial<SealedErrorRecord>).sealed;
			if (typeof sealed !== "string") {
				if (!acceptPlaintext)
					throw new EncryptionError("encryption.not_encrypted", "this error record is not encrypted, and the encryption option acceptPlaintext is false");
				return error;
			}
			const bytes = Buffer.from(sealed, "base64");
			if (bytes[0] !== SEALED_MAGIC) throw malformed("the error record's sealed field is not a sealed value");
			return inner.decode(open(bytes)) as ErrorRecord;
		},
	};
	return serializer;
}

function malformed(why: string): EncryptionError {
	return new EncryptionError("encryption.malformed", `cannot decrypt this value: ${why}`);
}

export function isEncryptingSerializer(s: Serializer): s is EncryptingSerializer {
	return typeof (s as Partial<EncryptingSerializer>).sealError === "function" && typeof (s as Partial<EncryptingSerializer>).openError === "function";
}

/**
 * IVs from the OS CSPRNG, drawn a few KiB at a time: one randomFillSync per value would cost a
 * call into the OS for every step. Random 96-bit IVs keep the chance of a repeat negligible up to
 * 2^32 values per key (NIST SP 800-38D), which is why docs/encryption.md says to rotate before.
 */
class IvPool {
	readonly #pool = Buffer.allocUnsafe(IV_BYTES * 256);
	#at = this.#pool.length;

	fill(target: Buffer): void {
		if (this.#at === this.#pool.length) {
			randomFillSync(this.#pool);
			this.#at = 0;
		}
		this.#pool.copy(target, 0, this.#at, this.#at + IV_BYTES);
		// Overwritten so a used IV never sits in memory to be handed out twice.
		this.#pool.fill(0, this.#at, this.#at + IV_BYTES);
		this.#at += IV_BYTES;
	}
}

/**
 * The store the engine uses when its serializer encrypts: the same store, except that error
 * records are sealed on their way in (`completeActivation`) and opened on their way out
 * (`getInstance`, `listInstances`: what status(), details(), history and the API read). Claims
 * are left sealed: an activation never reads its instance's error. Everything else, including
 * methods this file does not know about, is the store's own, called on the store itself.
 */
export function sealErrorRecords(store: Store, serializer: Serializer): Store {
	if (!isEncryptingSerializer(serializer)) return store;
	const open = (r: InstanceRecord): InstanceRecord => (r.error ? { ...r, error: serializer.openError(r.error) } : r);
	const overrides: Partial<Store> = {
		getInstance: async (key) => {
			const r = await store.getInstance(key);
			return r && open(r);
		},
		listInstances: async (query) => {
			const page = await store.listInstances(query);
			return { ...page, instances: page.instances.map(open) };
		},
		completeActivation: (lease, records, outcome, now) =>
			store.completeActivation(
				lease,
				records,
				outcome.kind === "errored" || outcome.kind === "terminated" ? { ...outcome, error: serializer.sealError(outcome.error) } : outcome,
				now,
			),
	};
	const bound = new Map<PropertyKey, unknown>();
	return new Proxy(store, {
		get(target, prop) {
			if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof Store];
			const value = Reflect.get(target, prop, target);
			if (typeof value !== "function") return value;
			// Bound to the store itself: its methods use private fields a proxy receiver would lack.
			let fn = bound.get(prop);
			if (!fn) {
				fn = value.bind(target);
				bound.set(prop, fn);
			}
			return fn;
		},
	});
}
