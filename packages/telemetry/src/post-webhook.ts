// Delivers one alert notification: a JSON POST, tried a bounded number of times (a timeout, a
// network error, a 5xx or a 429 is tried again after a growing pause; any other answer is final).

export interface WebhookDelivery {
	/** Pauses before the 2nd, 3rd, … try (default 1 s, 5 s: three tries in all). */
	retryDelaysMs?: number[];
	/** How long one try may take (default 10 s). */
	timeoutMs?: number;
}

export type WebhookOutcome = { ok: true; status: number; tries: number } | { ok: false; tries: number; reason: string };

export async function postWebhook(url: string, body: unknown, options: WebhookDelivery = {}): Promise<WebhookOutcome> {
	const delays = options.retryDelaysMs ?? [1000, 5000];
	const payload = JSON.stringify(body);
	let reason = "";
	for (let tries = 1; ; tries++) {
		try {
			const response = await fetch(url, {
				method: "POST",
				headers: { "content-type": "application/json", "user-agent": "weft-alerts" },
				body: payload,
				signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
			});
			await response.arrayBuffer().catch(() => {});
			if (response.ok) return { ok: true, status: response.status, tries };
			reason = `answered ${response.status}`;
			if (response.status < 500 && response.status !== 429) return { ok: false, tries, reason };
		} catch (e) {
			reason = (e as Error)?.message ?? String(e);
		}
		const delay = delays[tries - 1];
		if (delay === undefined) return { ok: false, tries, reason };
		await new Promise((r) => setTimeout(r, delay));
	}
}
