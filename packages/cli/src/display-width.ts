// How many terminal columns a string takes, near enough for tables: emoji and other wide
// pictographs take two, variation selectors and zero-width joiners none, ANSI colour codes none.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export function displayWidth(text: string): number {
	let width = 0;
	for (const ch of text.replace(ANSI, "")) {
		const cp = ch.codePointAt(0) as number;
		if (cp === 0xfe0f || cp === 0x200d || (cp >= 0x300 && cp <= 0x36f)) continue;
		width += (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x2300 && cp <= 0x23ff) ? 2 : 1;
	}
	return width;
}

export function padEnd(text: string, width: number): string {
	return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}
