// The few lines `weft dev` and `weft start` print once the server is up.
export interface BannerInfo {
	mode: "dev" | "start";
	url: string;
	database: string;
	workflows: string[];
	authenticated: boolean;
	/** Files `weft dev` watches; a change reloads the workflows. */
	watching?: number;
	/** A Cloudflare project's Worker (its fetch handler), served on its own port. */
	workerUrl?: string | null;
	/** Parts of the project Weft does not provide or run, one line each. */
	notices?: string[];
}

export function formatBanner(b: BannerInfo): string {
	const lines = [
		`weft ${b.mode} · ${b.workflows.length} workflow${b.workflows.length === 1 ? "" : "s"}: ${b.workflows.join(", ")}`,
		...(b.workerUrl ? [`  Worker    ${b.workerUrl}   (your Worker's fetch handler, with the workflow bindings in env)`] : []),
		`  API       ${b.url}/api/workflows   (OpenAPI: ${b.url}/api/openapi.json)`,
		`  database  ${b.database}`,
		b.authenticated
			? "  auth      bearer token required on every request"
			: "  auth      none — listening on this machine only (127.0.0.1); set WEFT_TOKEN to require a token",
	];
	if (b.watching !== undefined) lines.push(`  reload    on change of ${b.watching} project file${b.watching === 1 ? "" : "s"}; instances carry on`);
	for (const notice of b.notices ?? []) lines.push(`  ⚠ ${notice}`);
	lines.push(`  CLI       WEFT_URL=${b.url} weft instances list ${b.workflows[0] ?? "<workflow>"}`, "Press Ctrl+C to stop.");
	return lines.join("\n");
}
