// `weft init <template> [dir]`: copies one of the repository's examples into a new folder as the
// start of a project: its workflow code and README, the examples' shared helpers it imports, a
// weft.config.ts (the example's own, or one written from its `…Workflows` export), and a
// package.json that depends on this checkout's Weft packages by `file:` path, since they are not
// published to a registry.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { CliError, examples, print, userCwd } from "./cli-context.js";

/** The checkout this CLI runs from: packages/cli/dist/ → the repository root. */
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** Files an example keeps for itself: tests drive it through the repository's own harness. */
const SKIPPED = (name: string) => name.endsWith(".test.ts") || name === "dist" || name === "node_modules" || name === ".weft";

export interface InitResult {
	dir: string;
	template: string;
	files: string[];
}

/** Example folders that can be templates: `NN-name` with a workflow.ts. */
export function listTemplates(examplesDir = join(REPO, "examples")): string[] {
	if (!existsSync(examplesDir)) return [];
	return readdirSync(examplesDir)
		.filter((d) => /^\d\d-/.test(d) && existsSync(join(examplesDir, d, "workflow.ts")))
		.sort();
}

/** "06-etl" or "etl" → "06-etl". */
function findTemplate(name: string, templates: string[]): string {
	const found = templates.find((t) => t === name || t.slice(3) === name);
	if (found) return found;
	if (templates.length === 0) throw new CliError(`weft init copies the examples of a Weft checkout, and there is no ${join(REPO, "examples")} beside this CLI`);
	throw new CliError(`no template "${name}"; the templates are: ${templates.join(", ")} (the number may be left out)`);
}

/** The Weft workspace packages of the checkout: package name → its folder. */
function workspacePackages(): Map<string, string> {
	const root = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { workspaces?: string[] };
	const found = new Map<string, string>();
	for (const w of root.workspaces ?? []) {
		const file = join(REPO, w, "package.json");
		if (existsSync(file)) found.set((JSON.parse(readFileSync(file, "utf8")) as { name: string }).name, join(REPO, w));
	}
	return found;
}

/** The packages (bare specifiers) the project's .ts files import, by package name. */
function importedPackages(dir: string): Set<string> {
	const names = new Set<string>();
	for (const file of walk(dir).filter((f) => f.endsWith(".ts"))) {
		// Static imports, and packages located with import.meta.resolve (a data package's files).
		for (const m of readFileSync(file, "utf8").matchAll(/(?:^\s*import\s[^"']*|import\.meta\.resolve\()["']([^"'.][^"']*)["']/gm)) {
			const spec = m[1] as string;
			if (spec.startsWith("node:")) continue;
			names.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));
		}
	}
	return names;
}

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

/**
 * A config for an example that has none (01–05 run through a driver): one entry per workflow of
 * its `export const …Workflows = { BINDING: { name: "…", class: Class } }`.
 */
function writtenConfig(source: string): string {
	const block = /export const \w+Workflows = \{([\s\S]*?)\n?\};/.exec(source)?.[1];
	const entries = [...(block ?? "").matchAll(/(\w+): \{ name: "([\w-]+)", class: (\w+)(?:, concurrency: \{ limit: (\d+) \})? \}/g)];
	if (entries.length === 0) throw new CliError("this example exports no `…Workflows` object to write a weft.config.ts from");
	const lines = entries.map(
		([, binding, name, className, limit]) =>
			`\t\t{ name: "${name}", binding: "${binding}", class_name: "${className}"${limit ? `, concurrency: { limit: ${limit} }` : ""} },`,
	);
	return `// Written by \`weft init\` from workflow.ts's workflows; see the project config reference (docs/config.md).
import type { WeftConfig } from "@weft/server";

export default {
	main: "./workflow.ts",
	workflows: [
${lines.join("\n")}
	],
} satisfies WeftConfig;
`;
}

export function initProject(templateName: string, target: string | undefined, cwd: string): InitResult {
	const template = findTemplate(templateName, listTemplates());
	const from = join(REPO, "examples", template);
	const dir = resolve(cwd, target ?? template.slice(3));
	if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} is not empty; give weft init a new or empty folder`);
	mkdirSync(dir, { recursive: true });

	cpSync(from, dir, { recursive: true, filter: (src) => !SKIPPED(basename(src)) });
	// The first five examples import helpers from ../shared/: they come along, one level down.
	const usesShared = walk(dir).some((f) => f.endsWith(".ts") && readFileSync(f, "utf8").includes('"../shared/'));
	if (usesShared) {
		cpSync(join(REPO, "examples", "shared"), join(dir, "shared"), { recursive: true, filter: (src) => !SKIPPED(basename(src)) });
		for (const f of walk(dir).filter((p) => p.endsWith(".ts") && dirname(p) === dir)) {
			writeFileSync(f, readFileSync(f, "utf8").replaceAll('"../shared/', '"./shared/'));
		}
	}
	if (!existsSync(join(dir, "weft.config.ts"))) writeFileSync(join(dir, "weft.config.ts"), writtenConfig(readFileSync(join(dir, "workflow.ts"), "utf8")));

	const workspaces = workspacePackages();
	const rootPackage = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
	const dependencies: Record<string, string> = {};
	const allowScripts: Record<string, boolean> = {};
	// The server and the CLI always: `npx weft dev` is how the project runs.
	for (const name of new Set(["weft", "@weft/cli", "@weft/server", ...importedPackages(dir)])) {
		const workspace = workspaces.get(name);
		if (workspace) {
			dependencies[name] = `file:${relative(dir, workspace).split(sep).join("/")}`;
			continue;
		}
		const installed = join(REPO, "node_modules", name, "package.json");
		if (!existsSync(installed)) throw new CliError(`the example imports ${name}, which this checkout has not installed; run npm install at ${REPO}`);
		dependencies[name] = `^${(JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version}`;
		if (rootPackage.allowScripts?.[name]) allowScripts[name] = true;
	}
	const pkg = {
		name: basename(dir)
			.toLowerCase()
			.replace(/[^a-z0-9._-]+/g, "-"),
		private: true,
		type: "module",
		scripts: { dev: "weft dev", start: "weft start" },
		dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
		...(Object.keys(allowScripts).length ? { allowScripts } : {}),
	};
	writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, "\t")}\n`);
	return {
		dir,
		template,
		files: walk(dir)
			.map((f) => relative(dir, f))
			.sort(),
	};
}

export function registerInitCommand(program: Command): void {
	program
		.command("init <template> [dir]")
		.description("Start a project from one of the examples: copies it into dir (default: the template's name) with a weft.config.ts and a package.json")
		.addHelpText(
			"after",
			`\nTemplates: ${listTemplates().join(", ") || "(none: run weft init from a Weft checkout)"}${examples("weft init etl", "weft init 07-thumbnails my-thumbnails", "cd etl && npm install && npx weft dev")}`,
		)
		.action((template: string, dir: string | undefined) => {
			const result = initProject(template, dir, userCwd());
			const shown = relative(userCwd(), result.dir) || ".";
			print(`✅ Created ${shown} from examples/${result.template} (${result.files.length} files)`);
			print(`   cd ${shown} && npm install && npx weft dev`);
		});
}
