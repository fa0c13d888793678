import { WeftError } from "@weft/core";

/** The server cannot start: `server.token_required` (a non-loopback host without a token), `server.port_in_use`, `server.listen_failed`. */
export class ServerError extends WeftError {
	override name = "ServerError";
}
