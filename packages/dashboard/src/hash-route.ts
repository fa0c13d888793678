// The dashboard's routes live in the URL's hash (#/instances?workflow=…), so the server serves
// one page at / and never has to tell a dashboard path from an API path.
import { useEffect, useMemo, useState } from "preact/hooks";

export type Route =
	| { page: "overview" }
	| { page: "instances"; query: URLSearchParams }
	| { page: "instance"; workflow: string; id: string }
	| { page: "playground"; query: URLSearchParams };

export function parseRoute(hash: string): Route {
	const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
	const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
	const query = new URLSearchParams(search);
	if (parts[0] === "instances" && parts.length === 3) return { page: "instance", workflow: parts[1] as string, id: parts[2] as string };
	if (parts[0] === "instances") return { page: "instances", query };
	if (parts[0] === "playground") return { page: "playground", query };
	return { page: "overview" };
}

export function instanceHref(workflow: string, id: string): string {
	return `#/instances/${encodeURIComponent(workflow)}/${encodeURIComponent(id)}`;
}

export function instancesHref(query: Record<string, string | undefined>): string {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
	const s = q.toString();
	return `#/instances${s ? `?${s}` : ""}`;
}

export function useRoute(): Route {
	const [hash, setHash] = useState(() => location.hash);
	useEffect(() => {
		const onChange = () => setHash(location.hash);
		addEventListener("hashchange", onChange);
		// A navigation between the first render and now (right after the page loaded) fired its
		// hashchange before anyone listened: read the hash again.
		onChange();
		return () => removeEventListener("hashchange", onChange);
	}, []);
	return useMemo(() => parseRoute(hash), [hash]);
}
