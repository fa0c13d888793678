// One observer for the engine out of several (metrics, logs, tracing): each method calls the
// observers that have it, in order, and a throwing observer is reported, never propagated into
// the engine's hot path. Methods no observer has stay absent, so the engine skips them.
import type { EngineObserver } from "@weft/core";

type Method = keyof EngineObserver;
const METHODS: Method[] = [
	"instancesCreated",
	"activationStarted",
	"activationEnded",
	"attemptEnded",
	"timerFired",
	"instanceHeld",
	"instanceTerminated",
	"committed",
	"staleWriteRejected",
	"leaseTakeovers",
];

export function combineObservers(observers: EngineObserver[], onError: (error: unknown) => void): EngineObserver {
	const combined: Record<string, (...args: unknown[]) => void> = {};
	for (const method of METHODS) {
		const fns = observers.map((o) => o[method] as ((...args: unknown[]) => void) | undefined).filter((f) => f !== undefined);
		if (fns.length === 0) continue;
		combined[method] = (...args: unknown[]) => {
			for (const fn of fns) {
				try {
					fn(...args);
				} catch (e) {
					onError(e);
				}
			}
		};
	}
	return combined as EngineObserver;
}
