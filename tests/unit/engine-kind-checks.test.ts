import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINES } from "~/workers/engines/registry";
import { ROOT } from "../support/processes";

/** Source files of the app, under these folders. */
async function sources(folder: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, folder), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

describe("ask engines for capabilities, never for their kind", () => {
  it("no code outside an engine's own folder compares a session's kind with an engine's name", async () => {
    const kinds = Object.keys(ENGINES).join("|");
    const comparison = new RegExp(`[!=]==\\s*["'](${kinds})["']|["'](${kinds})["']\\s*[!=]==`);
    // Finding a particular session by its kind (the simulator's own session) is allowed only here.
    const lookup = new RegExp(`waSessions\\.kind,\\s*["'](${kinds})["']`);
    const offenders: string[] = [];
    for (const folder of ["app", "components", "server", "workers"]) {
      for (const file of await sources(folder)) {
        if (file.startsWith(path.join("workers", "engines"))) continue;
        const lines = (await readFile(path.join(ROOT, file), "utf8")).split("\n");
        lines.forEach((line, index) => {
          const allowedLookup = file === path.join("server", "sessions", "sessions.ts") && lookup.test(line);
          if (comparison.test(line) || (lookup.test(line) && !allowedLookup)) offenders.push(`${file}:${index + 1}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
