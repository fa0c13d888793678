// Watches a set of files for `weft dev`. It watches their directories, not the files: editors
// that save by writing a new file and renaming it over the old one would otherwise end a
// per-file watch after the first save. Only the listed files count; a directory's other files
// (the database, build output) do not.
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

export class FileWatcher {
	readonly #onChange: (file: string) => void;
	readonly #dirs = new Map<string, { watcher: FSWatcher; names: Set<string> }>();

	constructor(onChange: (file: string) => void) {
		this.#onChange = onChange;
	}

	/** Watches exactly these files from now on (absolute paths). */
	set(files: Iterable<string>): void {
		const wanted = new Map<string, Set<string>>();
		for (const f of files) {
			const names = wanted.get(dirname(f)) ?? new Set<string>();
			names.add(basename(f));
			wanted.set(dirname(f), names);
		}
		for (const [dir, entry] of this.#dirs)
			if (!wanted.has(dir)) {
				entry.watcher.close();
				this.#dirs.delete(dir);
			}
		for (const [dir, names] of wanted) {
			const existing = this.#dirs.get(dir);
			if (existing) {
				existing.names = names;
				continue;
			}
			try {
				const entry = { names, watcher: null as unknown as FSWatcher };
				entry.watcher = watch(dir, (_event, name) => {
					const file = name?.toString();
					if (file && entry.names.has(file)) this.#onChange(`${dir}/${file}`);
				});
				entry.watcher.on("error", () => {}); // a directory removed under us: it is dropped on the next set()
				this.#dirs.set(dir, entry);
			} catch {
				// The directory is gone; the next reload reports the files that exist.
			}
		}
	}

	close(): void {
		for (const { watcher } of this.#dirs.values()) watcher.close();
		this.#dirs.clear();
	}
}
