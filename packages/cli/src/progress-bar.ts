// Progress of a long operation on stderr: a bar redrawn in place on a terminal, one line per
// step when stderr is a file or a pipe (so logs stay readable).
export class ProgressBar {
	readonly #total: number;
	readonly #label: string;
	readonly #tty: boolean;
	#lastLine = "";

	constructor(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
		this.#total = total;
		this.#label = label;
		this.#tty = stream.isTTY === true;
	}

	update(done: number, note = ""): void {
		const width = 30;
		const filled = this.#total === 0 ? width : Math.round((done / this.#total) * width);
		const pct = this.#total === 0 ? 100 : Math.floor((done / this.#total) * 100);
		const line = `${this.#label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${this.#total} (${pct}%)${note ? ` ${note}` : ""}`;
		if (line === this.#lastLine) return;
		this.#lastLine = line;
		process.stderr.write(this.#tty ? `\r\x1b[2K${line}` : `${line}\n`);
	}

	done(): void {
		if (this.#tty && this.#lastLine) process.stderr.write("\n");
	}
}
