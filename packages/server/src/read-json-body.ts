import type { Context } from "hono";
import { RequestError } from "./request-error.js";

/** The request's JSON body, or undefined when it is empty; malformed JSON is `request.invalid_json`. */
export async function readJsonBody(c: Context): Promise<unknown> {
	const text = await c.req.text();
	if (text.trim() === "") return undefined;
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new RequestError("request.invalid_json", `the request body is not valid JSON: ${(e as Error).message}`);
	}
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Refuses keys a body shape does not have, so a typo ("param") is an error instead of being ignored. */
export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], what: string): void {
	for (const key of Object.keys(body))
		if (!allowed.includes(key)) throw new RequestError("request.invalid_body", `${what} has an unknown field "${key}"; its fields are ${allowed.join(", ")}`);
}
