import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * docs/benchmarks.md keeps, for each benchmark, the latest run under "Latest figures" (with its
 * date and the command that produced it) and older runs below it, under "History". An older,
 * better run shown as the latest is how the figures stopped being true once; this keeps them
 * honest.
 */
const DOC = readFileSync(path.resolve(import.meta.dirname, "../../docs/benchmarks.md"), "utf8");
const BENCHES = [
  "pipeline",
  "rules",
  "contacts",
  "webhooks",
  "analytics",
  "media",
  "flows",
  "inbox",
  "knowledge",
  "campaigns",
];
const DATE = /\b(20\d\d-\d\d-\d\d)\b/g;

function section(text: string, heading: RegExp): string | null {
  const start = text.search(heading);
  if (start < 0) return null;
  const rest = text.slice(start);
  const level = /^#+/.exec(rest)![0].length;
  const next = rest.slice(1).search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next + 1);
}

describe("docs/benchmarks.md", () => {
  for (const bench of BENCHES) {
    it(`[${bench}] shows its newest run under "Latest figures", with the command`, () => {
      const body = section(DOC, new RegExp(`^## ${bench}\\b`, "m"));
      expect(body, `a "## ${bench}" section`).not.toBeNull();
      const latest = section(body!, /^### Latest figures/m);
      expect(latest, `a "### Latest figures" heading under ${bench}`).not.toBeNull();
      const dates = [...body!.matchAll(DATE)].map((match) => match[1]!).sort();
      const newest = dates.at(-1);
      const latestDates = [...latest!.matchAll(DATE)].map((match) => match[1]!);
      expect(latestDates[0], "the first date under Latest figures is the section's newest").toBe(newest);
      expect(latest).toContain(`npm run bench -- ${bench}`);
      const history = section(body!, /^### History/m) ?? "";
      for (const date of dates.filter((date) => date !== newest)) {
        expect(history, `the older run of ${date} sits under "### History"`).toContain(date);
      }
    });
  }
});
