// The entry point for talking to a Weft server: `new WeftClient({ url, token })`, then
// `client.workflow("name")` gives the same binding-shaped API the in-process engine has.
import type { Health, WorkflowSummary } from "./api-types.js";
import type { AlertStatus } from "./observability-types.js";
import { RemoteWorkflow } from "./remote-workflow.js";
import { WeftApiError } from "./weft-api-error.js";

export interface WeftClientOptions {
	/** The server's base URL, e.g. "http://127.0.0.1:8787". */
	url: string;
	/** Sent as `Authorization: Bearer <token>` when the server requires one. */
	token?: string | undefined;
	/** Another fetch implementation (a proxy agent, a test double); the global one by default. */
	fetch?: typeof fetch;
}

export interface RequestOptions {
	query?: Record<string, string | number | undefined>;
	/** Sent as JSON. */
	body?: unknown;
	headers?: Record<string, string>;
	signal?: AbortSignal | undefined;
}

export class WeftClient {
	readonly url: string;
	readonly #token: string | undefined;
	readonly #fetch: typeof fetch;

	constructor(options: WeftClientOptions) {
		let parsed: URL;
		try {
			parsed = new URL(options.url);
		} catch (cause) {
			throw new WeftApiError("client.invalid_url", `${JSON.stringify(options.url)} is not a URL; pass the server's base URL, e.g. http://127.0.0.1:8787`, 0, {
				cause,
			});
		}
		this.url = parsed.href.replace(/\/+$/, "");
		this.#token = options.token || undefined;
		// Called as a plain function: a browser's fetch throws "Illegal invocation" when called as a method of another object.
		this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
	}

	/** The binding of a workflow on the server, by its name. */
	workflow<Params = unknown>(name: string): RemoteWorkflow<Params> {
		return new RemoteWorkflow<Params>(this, name);
	}

	/** Every workflow the server runs, with its instance counts by status. */
	/** The server's alert rules and their state (GET /api/alerts). */
	async alerts(): Promise<AlertStatus[]> {
		return (await this.request<{ alerts: AlertStatus[] }>("GET", "/api/alerts")).alerts;
	}

	async workflows(): Promise<WorkflowSummary[]> {
		return (await this.request<{ workflows: WorkflowSummary[] }>("GET", "/api/workflows")).workflows;
	}

	health(): Promise<Health> {
		return this.request<Health>("GET", "/healthz");
	}

	/** Sends one request and returns the parsed JSON answer; any error answer throws a WeftApiError. */
	async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
		const response = await this.send(method, path, options);
		const text = await response.text();
		try {
			return JSON.parse(text) as T;
		} catch (cause) {
			throw new WeftApiError("response.invalid", `${method} ${path} answered ${response.status} with a body that is not JSON`, response.status, { cause });
		}
	}

	/** Sends one request and returns the raw response once its status is a success (for streams). */
	async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
		const url = new URL(this.url + path);
		for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
		const headers: Record<string, string> = { accept: "application/json", ...options.headers };
		if (this.#token) headers.authorization = `Bearer ${this.#token}`;
		const init: RequestInit = { method, headers };
		if (options.body !== undefined) {
			headers["content-type"] = "application/json";
			init.body = JSON.stringify(options.body);
		}
		if (options.signal) init.signal = options.signal;
		let response: Response;
		try {
			response = await this.#fetch(url, init);
		} catch (cause) {
			if (options.signal?.aborted) throw cause;
			const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
			throw new WeftApiError("connection.failed", `could not reach ${this.url} (${reason}); is the server running (weft dev)?`, 0, { cause });
		}
		if (!response.ok) throw await errorFrom(response);
		return response;
	}
}

async function errorFrom(response: Response): Promise<WeftApiError> {
	const text = await response.text().catch(() => "");
	const retryAfter = Number(response.headers.get("retry-after"));
	const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null;
	try {
		const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
		if (typeof body.error?.code === "string" && typeof body.error.message === "string")
			return new WeftApiError(body.error.code, body.error.message, response.status, { retryAfterSeconds });
	} catch {}
	// Not a Weft answer (a proxy, another server on the port): keep the status in the code.
	return new WeftApiError(`http.${response.status}`, `the server answered ${response.status}: ${text.slice(0, 200)}`, response.status, { retryAfterSeconds });
}
