import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [full] : [];
  });
}

/** A log call at info or above whose fields name what people wrote or the AI said. */
const CONTENT_AT_INFO =
  /\.(info|warn|error|fatal)\(\s*\{[^}]*\b(body|text|caption|transcript|prompt|answer|reply|contents|content)\b\s*[:,}]/g;

describe("privacy: no message content in the logs at info level", () => {
  it("no log call at info or above carries a message's body, caption, transcript, or an AI prompt or answer", () => {
    const offenders = [...sources(path.join(ROOT, "server")), ...sources(path.join(ROOT, "workers"))].flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(CONTENT_AT_INFO)].map(
        (match) => `${path.relative(ROOT, file)}: ${match[0].slice(0, 120)}`,
      ),
    );
    expect(offenders).toEqual([]);
  });
});
