// The few lines `weft dev` and `weft start` print once the server is up.
export interface BannerInfo {
	mode: "dev" | "start";
	url: string;
	database: string;
	workflows: string[];
	authenticated: boolean;
	/** Files `weft dev` watches; a change reloads the workflows. */
	watching?: number;
}

export function formatBanner(b: BannerInfo): string {
	const lines = [
		`weft ${b.mode} · ${b.workflows.length} workflow${b.workflows.length === 1 ? "" : "s"}: ${b.workflows.join(", ")}`,
		`  API       ${b.url}/api/workflows   (OpenAPI: ${b.url}/api/openapi.json)`,
		`  database  ${b.database}`,
		b.authenticated
			? "  auth      bearer token required on every request"
			: "  auth      none — listening on this machine only (127.0.0.1); set WEFT_TOKEN to require a token",
	];
	if (b.watching !== undefined) lines.push(`  reload    on change of ${b.watching} project file${b.watching === 1 ? "" : "s"}; instances carry on`);
	lines.push(`  CLI       WEFT_URL=${b.url} weft instances list ${b.workflows[0] ?? "<workflow>"}`, "Press Ctrl+C to stop.");
	return lines.join("\n");
}
