// The one table from error codes to HTTP statuses. Every error the API answers goes through
// `errorAnswer`, so a code means the same status on every route; docs/http-api.md lists the same
// table and a test holds the two equal.

import type { ApiErrorBody } from "@weft/client";
import { ValidationError, WeftError } from "@weft/core";
import { RequestError } from "./request-error.js";

export const ERROR_STATUS: Readonly<Record<string, number>> = {
	// The engine's codes (docs/api.md).
	"instance.not_found": 404,
	"workflow.not_found": 404,
	"instance.already_exists": 409,
	"instance.cannot_terminate": 409,
	"instance.cannot_restart": 409,
	"instance.cannot_fork": 409,
	"instance.invalid_fork": 400,
	"purge.invalid_status": 400,
	"subscribe.invalid_options": 400,
	"instance.invalid_id": 400,
	"instance.invalid_params": 400,
	"instance.params_too_large": 413,
	"instance.invalid_options": 400,
	"instance.invalid_restart": 400,
	"batch.invalid": 400,
	"batch.too_large": 400,
	"batch.empty": 400,
	"event.invalid_type": 400,
	"list.invalid_cursor": 400,
	"list.invalid_date": 400,
	"list.invalid_limit": 400,
	"list.invalid_status": 400,
	"duration.invalid": 400,
	"workflow.invalid_name": 400,
	"step.invalid_name": 400,
	// Codes the engine raises inside workflows or at registration: a request cannot cause them,
	// so one reaching the API is the server's fault.
	"workflow.invalid_class": 500,
	"workflow.duplicate_name": 500,
	"workflow.invalid_concurrency": 500,
	"workflow.invalid_version": 500,
	"instance.step_limit": 500,
	"step.invalid_stream": 500,
	"step.invalid_rollback": 500,
	"workflow.invalid_limits": 500,
	"workflow.invalid_retention": 500,
	"child.errored": 500,
	"child.terminated": 500,
	"child.invalid_binding": 500,
	"child.outside_workflow": 500,
	"step.invalid_callback": 500,
	"step.invalid_config": 500,
	"step.output_not_serialisable": 500,
	"step.output_too_large": 500,
	"step.timeout": 500,
	"step.sleep_in_past": 500,
	"lease.lost": 500,
	// The HTTP layer's own codes.
	"request.invalid_json": 400,
	"request.invalid_body": 400,
	"request.invalid_query": 400,
	"request.body_too_large": 413,
	"journal.invalid_cursor": 400,
	"step.not_found": 404,
	"route.not_found": 404,
	"route.method_not_allowed": 405,
	"auth.missing_token": 401,
	"auth.invalid_token": 401,
	"request.forbidden_host": 403,
	"request.forbidden_origin": 403,
	"rate_limit.exceeded": 429,
	internal: 500,
};

export interface ErrorAnswer {
	status: number;
	body: ApiErrorBody;
	headers: Record<string, string>;
}

/** The status, body and headers for any error thrown while answering a request. */
export function errorAnswer(error: unknown, log: (error: unknown) => void): ErrorAnswer {
	if (error instanceof WeftError) {
		// A validation code this table does not list yet is still the caller's mistake.
		const status = ERROR_STATUS[error.code] ?? (error instanceof ValidationError ? 400 : 500);
		if (status >= 500) log(error);
		return {
			status,
			body: { error: { code: error.code, message: status >= 500 ? `${error.message} (a server-side failure; see the server log)` : error.message } },
			headers: error instanceof RequestError ? error.headers : {},
		};
	}
	log(error);
	return { status: 500, body: { error: { code: "internal", message: "the server failed to answer this request; see the server log" } }, headers: {} };
}
