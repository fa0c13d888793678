// Creation is rate-limited per workflow with a token bucket: `burst` creations at once, refilled
// at `perSecond`. Like Cloudflare, every created instance counts (each batch item, each restart).
import { RequestError } from "./request-error.js";

export interface CreationRate {
	perSecond: number;
	burst: number;
}

export const DEFAULT_CREATION_RATE: CreationRate = { perSecond: 100, burst: 200 };

export class CreationRateLimiter {
	readonly #rate: CreationRate;
	readonly #now: () => number;
	readonly #buckets = new Map<string, { tokens: number; at: number }>();

	constructor(rate: CreationRate, now: () => number = () => performance.now()) {
		this.#rate = rate;
		this.#now = now;
	}

	/**
	 * Takes `count` creations for `workflow`, or throws `rate_limit.exceeded` with the seconds to
	 * wait in Retry-After. A batch larger than the burst takes the whole bucket, so it can pass.
	 */
	take(workflow: string, count = 1): void {
		const now = this.#now();
		const { perSecond, burst } = this.#rate;
		const bucket = this.#buckets.get(workflow) ?? { tokens: burst, at: now };
		bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
		bucket.at = now;
		this.#buckets.set(workflow, bucket);
		const cost = Math.min(count, burst);
		if (bucket.tokens >= cost) {
			bucket.tokens -= cost;
			return;
		}
		const waitSeconds = Math.max(1, Math.ceil((cost - bucket.tokens) / perSecond));
		throw new RequestError(
			"rate_limit.exceeded",
			`workflow "${workflow}" accepts ${perSecond} new instances per second (bursts of ${burst}); try again in ${waitSeconds} s`,
			{ "retry-after": String(waitSeconds) },
		);
	}
}
