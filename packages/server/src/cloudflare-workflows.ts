// What `import … from "cloudflare:workflows"` gives a project run by Weft (see cloudflare-resolve-hook.ts).
export { NonRetryableError } from "@weft/core";
