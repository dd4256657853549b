import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeImportCycles, findImportCycles } from "~/scripts/import-cycles";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/import-cycles/${name}`, import.meta.url));

describe("the import cycle check of `npm run lint`", () => {
  it("finds a cycle of value imports and names its files", async () => {
    const cycles = await findImportCycles(fixture("cyclic"), ["server"]);
    expect(cycles).toHaveLength(1);
    expect([...cycles[0]!].sort()).toEqual(["server/orders.ts", "server/prices.ts"]);
    expect(describeImportCycles(cycles)).toMatch(
      /1 import cycle .*\n {2}server\/\w+\.ts → server\/\w+\.ts → server\/\w+\.ts$/,
    );
  });

  it("counts a cycle that goes through an `import type`", async () => {
    const cycles = await findImportCycles(fixture("type-only"), ["server"]);
    expect(cycles.map((cycle) => [...cycle].sort())).toEqual([["server/facts.ts", "server/operators.ts"]]);
  });

  it("finds none once the shared piece has its own module", async () => {
    expect(await findImportCycles(fixture("acyclic"), ["server"])).toEqual([]);
    expect(describeImportCycles([])).toBe("No import cycles.");
  });
});
