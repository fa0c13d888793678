// Test support: a throwaway project directory with the given files, able to import `weft` (its
// node_modules links to the repository's), removed by cleanup().
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoNodeModules = fileURLToPath(new URL("../../../node_modules", import.meta.url));

export interface ProjectFixture {
	dir: string;
	write(path: string, text: string): void;
	cleanup(): void;
}

export function makeProject(files: Record<string, string>): ProjectFixture {
	const dir = mkdtempSync(join(tmpdir(), "weft-project-"));
	symlinkSync(repoNodeModules, join(dir, "node_modules"), "dir");
	const write = (path: string, text: string) => {
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), text);
	};
	for (const [path, text] of Object.entries(files)) write(path, text);
	return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const WORKFLOWS_TS = `
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "weft";

export class Hello extends WorkflowEntrypoint<{ GREETING: string }, { name: string }> {
	async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
		return step.do("greet", async () => \`\${this.env.GREETING}, \${event.payload.name}!\`);
	}
}
export class Other extends WorkflowEntrypoint {
	async run() {
		return "other";
	}
}
export const notAClass = 42;
`;
