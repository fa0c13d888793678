// Who the dashboard talks to the API as: a WeftClient on this page's origin, with the token the
// user typed on the login screen. The token lives in sessionStorage, so it is gone when the tab
// closes and is never sent anywhere but in the Authorization header of same-origin requests.
import { WeftApiError, WeftClient } from "@weft/client";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

const TOKEN_KEY = "weft.token";

export function storedToken(): string | undefined {
	return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
	if (token) sessionStorage.setItem(TOKEN_KEY, token);
	else sessionStorage.removeItem(TOKEN_KEY);
}

export function clientFor(token: string | undefined): WeftClient {
	return new WeftClient({ url: location.origin, token });
}

export interface Session {
	client: WeftClient;
	/** Called with any failure: a 401 sends the user back to the login screen. */
	reportError(error: unknown): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
	const session = useContext(SessionContext);
	if (!session) throw new Error("useSession outside <SessionContext.Provider>");
	return session;
}

export function isUnauthorized(error: unknown): boolean {
	return error instanceof WeftApiError && error.status === 401;
}

/** A route the server may not have yet (another part of the product adds it): 404 → null. */
export async function optionalText(client: WeftClient, path: string): Promise<string | null> {
	try {
		const response = await client.send("GET", path, { headers: { accept: "text/plain" } });
		return await response.text();
	} catch (e) {
		if (e instanceof WeftApiError && e.status === 404) return null;
		throw e;
	}
}

export async function optionalJson<T>(client: WeftClient, path: string): Promise<T | null> {
	try {
		return await client.request<T>("GET", path);
	} catch (e) {
		if (e instanceof WeftApiError && e.status === 404) return null;
		throw e;
	}
}

export function errorText(error: unknown): string {
	if (error instanceof WeftApiError) return `${error.code}: ${error.message}`;
	return error instanceof Error ? error.message : String(error);
}
