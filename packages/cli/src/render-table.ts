import { displayWidth, padEnd } from "./display-width.js";

/** A box-drawn table, as wrangler prints its attempts and listings. */
export function renderTable(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
	const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
	const row = (cells: string[]) => `│${widths.map((w, i) => ` ${padEnd(cells[i] ?? "", w)} `).join("│")}│`;
	return [line("┌", "┬", "┐"), row(header), line("├", "┼", "┤"), ...rows.map(row), line("└", "┴", "┘")].join("\n");
}
