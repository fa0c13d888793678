import { WeftError } from "@weft/core";

/**
 * A project config that cannot be used: no config file, a key that is wrong, a module that is
 * missing or fails to load, a class that is not exported. Codes: `config.not_found`,
 * `config.invalid`, `config.module_not_found`, `config.module_failed`, `config.class_not_found`,
 * `config.unsupported_database`, `config.worker_needs_postgres`, `config.invalid_alert`.
 */
export class ConfigError extends WeftError {
	override name = "ConfigError";
}
