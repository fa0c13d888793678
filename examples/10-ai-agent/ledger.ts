// The agent's world: a ledger of invoices and transfers in a JSON file. Every write is keyed by the
// step that makes it, so a tool that runs again (at least once, by design) finds its own entry
// instead of writing a second one.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface LedgerEntry {
	key: string;
	kind: "invoice" | "transfer" | "void";
	customer: string;
	amount: number;
	/** For a void: the invoice it cancels. */
	voids?: string;
}

export class Ledger {
	readonly #file: string;
	constructor(file: string) {
		this.#file = file;
	}

	entries(): LedgerEntry[] {
		return existsSync(this.#file) ? (JSON.parse(readFileSync(this.#file, "utf8")) as LedgerEntry[]) : [];
	}

	/** Writes the entry unless one with its key is there already; returns the one in the ledger. */
	record(entry: LedgerEntry): LedgerEntry {
		const all = this.entries();
		const found = all.find((e) => e.key === entry.key);
		if (found) return found;
		writeFileSync(this.#file, JSON.stringify([...all, entry], null, 2));
		return entry;
	}
}
