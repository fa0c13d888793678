// The project's encryption keyring (docs/encryption.md), from the config's `encryption` key and
// the environment. Built when the config loads, so a malformed key stops `weft start` before
// anything is opened, with `config.invalid` naming the key id (never the key).
import { EncryptionError, encryptingSerializer, Keyring, type Serializer, v8Serializer } from "@weft/core";
import { ConfigError } from "./config-error.js";
import type { EncryptionConfig } from "./weft-config.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The shape check validate-config runs on `encryption`; the keys themselves are checked by resolveEncryption. */
export function checkEncryptionShape(value: unknown, fail: (message: string) => never): void {
	if (value === undefined) return;
	if (!isObject(value)) fail('"encryption" must be { keys: { "<id>": "<base64 of 32 bytes>" }, current: "<id>" }');
	const e = value as Record<string, unknown>;
	for (const key of Object.keys(e)) if (key !== "keys" && key !== "current") fail(`encryption has an unknown key "${key}"; the keys are keys, current`);
	if (e.keys !== undefined && !isObject(e.keys)) fail('encryption.keys must be an object of key id → base64 key, e.g. { "k1": "…" }');
	for (const [id, key] of Object.entries((e.keys as Record<string, unknown> | undefined) ?? {}))
		if (typeof key !== "string") fail(`encryption.keys.${id} must be a base64 string of 32 bytes`);
	if (e.current !== undefined && typeof e.current !== "string") fail("encryption.current must be the id of one of encryption.keys");
}

/**
 * `WEFT_ENCRYPTION_KEYS` ("id:base64,id:base64"), when set, replaces the config's keys, and
 * `WEFT_ENCRYPTION_KEY_ID` its `current`: keys are better kept out of files. With one key and no
 * current, that key is current. Null when neither the config nor the environment has keys.
 */
export function resolveEncryption(config: EncryptionConfig | undefined, env: NodeJS.ProcessEnv, file: string): Keyring | null {
	const fromEnv = env.WEFT_ENCRYPTION_KEYS?.trim() ? parseEnvKeys(env.WEFT_ENCRYPTION_KEYS) : null;
	const keys = fromEnv ?? config?.keys ?? null;
	const currentFromEnv = env.WEFT_ENCRYPTION_KEY_ID?.trim() || undefined;
	if (!keys || Object.keys(keys).length === 0) {
		if (currentFromEnv || config)
			throw new ConfigError(
				"config.invalid",
				`${file}: encryption has no keys; set encryption.keys in the config or WEFT_ENCRYPTION_KEYS="k1:<base64 of 32 bytes>" in the environment`,
			);
		return null;
	}
	const ids = Object.keys(keys);
	const current = currentFromEnv ?? config?.current ?? (ids.length === 1 ? ids[0] : undefined);
	if (current === undefined)
		throw new ConfigError("config.invalid", `${file}: encryption has ${ids.length} keys but no current one; set encryption.current or WEFT_ENCRYPTION_KEY_ID`);
	try {
		return new Keyring({ keys, current });
	} catch (e) {
		if (e instanceof EncryptionError) {
			const where = fromEnv ? "WEFT_ENCRYPTION_KEYS" : file;
			throw new ConfigError("config.invalid", `${where}: ${e.message}`, { cause: e });
		}
		throw e;
	}
}

function parseEnvKeys(text: string): Record<string, string> {
	const keys: Record<string, string> = {};
	for (const [i, part] of text.split(",").entries()) {
		const item = part.trim();
		const colon = item.indexOf(":");
		if (colon <= 0) throw new ConfigError("config.invalid", `WEFT_ENCRYPTION_KEYS: item ${i + 1} must be "<id>:<base64 of 32 bytes>" (items separated by ",")`);
		const id = item.slice(0, colon);
		if (Object.hasOwn(keys, id)) throw new ConfigError("config.invalid", `WEFT_ENCRYPTION_KEYS: the key id "${id}" is listed twice`);
		keys[id] = item.slice(colon + 1);
	}
	return keys;
}

/** The codec a project's engine (and anything reading its database) uses: sealing when it has keys. */
export function projectSerializer(keyring: Keyring | null | undefined): Serializer {
	return keyring ? encryptingSerializer(v8Serializer, keyring) : v8Serializer;
}
