// For tests: poll until something holds, every 10 ms for up to 30 s, then fail naming what was awaited.

const EVERY_MS = 10;
const TRIES = 3000;

/** Until `check()` is true. */
export function until(check: () => boolean | Promise<boolean>, what: string): Promise<void>;
/** Until `done(read())`; resolves to that value. */
export function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T>;
export async function until<T>(read: () => T | Promise<T>, doneOrWhat: ((value: T) => boolean) | string, maybeWhat?: string): Promise<T> {
	const done = typeof doneOrWhat === "function" ? doneOrWhat : (v: T) => Boolean(v);
	const what = typeof doneOrWhat === "string" ? doneOrWhat : maybeWhat;
	for (let i = 0; i < TRIES; i++) {
		const value = await read();
		if (done(value)) return value;
		await new Promise((r) => setTimeout(r, EVERY_MS));
	}
	throw new Error(`gave up waiting for ${what}`);
}
