// Colour for people, plain text for pipes: styles apply only when the stream is a terminal and
// NO_COLOR is not set.
import { styleText } from "node:util";

type Format = Parameters<typeof styleText>[0];

export function styler(stream: NodeJS.WriteStream): (format: Format, text: string) => string {
	const enabled = stream.isTTY === true && !process.env.NO_COLOR;
	return (format, text) => (enabled ? styleText(format, text) : text);
}

export const paint = styler(process.stdout);
export const paintErr = styler(process.stderr);
