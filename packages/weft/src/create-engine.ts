import {
	type Clock,
	Engine,
	type EngineOptions,
	encryptingSerializer,
	Keyring,
	type KeyringOptions,
	type Serializer,
	v8Serializer,
	type WorkflowMap,
} from "@weft/core";
import { SqliteStore } from "@weft/store-sqlite";

export interface CreateEngineOptions<W extends WorkflowMap = WorkflowMap> extends Omit<EngineOptions<W>, "store"> {
	/** A SQLite file path (created if missing; default "weft.db"), or ":memory:". */
	database?: string;
	/** SQLite durability: FULL (default) or NORMAL. */
	synchronous?: "FULL" | "NORMAL";
	clock?: Clock;
	serializer?: Serializer;
	/**
	 * Encrypts params, step results, event payloads, outputs and errors at rest with these keys
	 * (docs/encryption.md): the serializer (or the default one) wrapped in encryptingSerializer.
	 */
	encryption?: KeyringOptions | Keyring;
}

/**
 * `WEFT_ALWAYS_REPLAY=1` in the environment turns on the engine's always-replay test mode.
 *
 * Opens (or creates) the database, registers the workflows, takes over every instance that was
 * running, waiting or queued when the file was last used, and starts running them.
 */
export async function createEngine<W extends WorkflowMap>(options: CreateEngineOptions<W>): Promise<Engine<W>> {
	const { database = "weft.db", synchronous, alwaysReplay = process.env.WEFT_ALWAYS_REPLAY === "1", encryption, ...rest } = options;
	// Before the database is opened: a bad key throws with nothing to clean up.
	if (encryption) {
		const keyring = encryption instanceof Keyring ? encryption : new Keyring(encryption);
		rest.serializer = encryptingSerializer(rest.serializer ?? v8Serializer, keyring);
	}
	const store = new SqliteStore({ path: database, ...(synchronous ? { synchronous } : {}) });
	let engine: Engine<W>;
	try {
		engine = new Engine({ ...rest, alwaysReplay, store });
	} catch (e) {
		await store.close();
		throw e;
	}
	await engine.start();
	return engine;
}
