// An attempt's AbortController, made only when something reads its signal (a body that reads
// ctx.signal): most bodies never do, and a controller with its signal was about a twentieth of the
// executor's time per step. Aborting before anyone looked is remembered: the signal, once read,
// is already aborted, with the same reason.

export class LazyAbort {
	#controller: AbortController | undefined;
	#aborted = false;
	#reason: unknown;

	get signal(): AbortSignal {
		if (!this.#controller) {
			this.#controller = new AbortController();
			if (this.#aborted) this.#controller.abort(this.#reason);
		}
		return this.#controller.signal;
	}

	/** As AbortController.abort: only the first call counts. */
	abort(reason: unknown): void {
		if (this.#aborted) return;
		this.#aborted = true;
		this.#reason = reason;
		this.#controller?.abort(reason);
	}
}
