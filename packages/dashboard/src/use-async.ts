// Loads something from the API, optionally again every `pollMs`, and keeps the last good value
// while a reload is in flight so the screen does not flicker.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useSession } from "./session.js";

export interface AsyncState<T> {
	value: T | undefined;
	error: unknown;
	loading: boolean;
	reload(): void;
}

export function useAsync<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): AsyncState<T> {
	const { reportError } = useSession();
	const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({ value: undefined, error: undefined, loading: true });
	const generation = useRef(0);
	const loadRef = useRef(load);
	loadRef.current = load;

	const run = useCallback(() => {
		const mine = ++generation.current;
		setState((s) => ({ ...s, loading: true }));
		loadRef.current().then(
			(value) => {
				if (mine === generation.current) setState({ value, error: undefined, loading: false });
			},
			(error: unknown) => {
				if (mine !== generation.current) return;
				reportError(error);
				setState((s) => ({ ...s, error, loading: false }));
			},
		);
	}, [reportError]);

	useEffect(() => {
		setState({ value: undefined, error: undefined, loading: true });
		run();
		if (!pollMs) return () => generation.current++;
		const timer = setInterval(run, pollMs);
		return () => {
			clearInterval(timer);
			generation.current++;
		};
	}, [...deps, pollMs]);

	return { ...state, reload: run };
}
