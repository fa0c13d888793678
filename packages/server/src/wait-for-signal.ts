/**
 * Resolves on the first SIGINT or SIGTERM, with its name. What a later signal does is the
 * caller's choice: "exit" quits at once (a second Ctrl+C), "ignore" lets the graceful shutdown
 * finish (a `weft dev` server process gets Ctrl+C from the terminal and SIGTERM from its parent).
 */
export function waitForSignal(repeat: "exit" | "ignore"): Promise<NodeJS.Signals> {
	return new Promise((resolve) => {
		let seen = false;
		const handler = (signal: NodeJS.Signals) => {
			if (!seen) {
				seen = true;
				resolve(signal);
			} else if (repeat === "exit") process.exit(130);
		};
		process.on("SIGINT", handler);
		process.on("SIGTERM", handler);
	});
}
