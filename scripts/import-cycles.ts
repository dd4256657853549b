import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseCircular, parseDependencyTree } from "dpdm";

/** The folders of our own code whose imports must form no cycle (`npm run lint`). */
export const CHECKED_FOLDERS = ["app", "components", "server", "workers", "db"];

/**
 * The import cycles among the TypeScript files under `folders` of `root`, each as the files
 * along it (relative to `root`); empty when there are none. `~/` aliases resolve through the
 * root's tsconfig.json.
 *
 * Type-only imports count: a cycle made of them costs nothing at run time, but it still ties two
 * modules so that neither can be read, moved or tested alone, and it becomes a run-time cycle
 * (a value read before its module has run) the day one of its imports starts carrying a value.
 * Both cycles this check was added for went through an `import type`. Dynamic `import()`s count
 * too.
 */
export async function findImportCycles(root: string, folders: readonly string[] = CHECKED_FOLDERS) {
  const context = resolve(root);
  // Paths in the tree are relative to `context`.
  const tree = await parseDependencyTree(
    folders.map((folder) => `${folder}/**/*.{ts,tsx}`),
    { cwd: context, context, transform: false, skipDynamicImports: false },
  );
  return parseCircular(tree);
}

/** The report `npm run lint` prints for the cycles found. */
export function describeImportCycles(cycles: readonly string[][]): string {
  if (cycles.length === 0) return "No import cycles.";
  const lines = cycles.map((cycle) => `  ${[...cycle, cycle[0]].join(" → ")}`);
  return [
    `${cycles.length} import cycle${cycles.length === 1 ? "" : "s"} (type-only imports count; move the shared piece to a module both can import):`,
    ...lines,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const cycles = await findImportCycles(process.cwd());
  if (cycles.length > 0) {
    console.error(describeImportCycles(cycles));
    process.exitCode = 1;
  }
}
