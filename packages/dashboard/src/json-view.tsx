// A JSON value, pretty-printed; a long one is cut after a few thousand characters with a
// "show all" button, so a 1 MiB step output does not freeze the page until asked for.
import { useState } from "preact/hooks";

const LIMIT = 2000;

export function JsonView({ value, label }: { value: unknown; label?: string }) {
	const [all, setAll] = useState(false);
	const text = value === undefined ? "undefined" : JSON.stringify(value, null, 2);
	const long = text.length > LIMIT;
	return (
		<div class="json" data-label={label}>
			<pre>{long && !all ? `${text.slice(0, LIMIT)}…` : text}</pre>
			{long ? (
				<button type="button" class="link" onClick={() => setAll(!all)}>
					{all ? "show less" : `show all (${text.length.toLocaleString()} characters)`}
				</button>
			) : null}
		</div>
	);
}
