import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTIONS, ENTITIES } from "~/components/audit/vocabulary";
import en from "~/server/i18n/messages/en/audit.json";

const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [full] : [];
  });
}

/** Every `recordAudit(…, { action, entity, … })` call in server/: the literal actions and entities it can record. */
function recordedVocabulary() {
  const actions = new Map<string, string>();
  const entities = new Map<string, string>();
  for (const file of sources(path.join(ROOT, "server"))) {
    const text = readFileSync(file, "utf8");
    for (const call of text.matchAll(/recordAudit\([^{]*\{([\s\S]*?)\}\);/g)) {
      const where = `${path.relative(ROOT, file)}:${text.slice(0, call.index).split("\n").length}`;
      const body = call[1]!;
      // The action's expression: up to the next property (or the line's end).
      const action = /\baction:\s*((?:(?!,\s*\w+:)[^\n])*)/.exec(body)?.[1] ?? "";
      for (const literal of action.matchAll(/"([a-z_]+)"/g)) actions.set(literal[1]!, where);
      const entity = /\bentity:\s*"([a-z_]+)"/.exec(body)?.[1];
      if (entity) entities.set(entity, where);
    }
  }
  return { actions, entities };
}

describe("the audit log's vocabulary", () => {
  const recorded = recordedVocabulary();

  it("finds the audit calls it checks (the scan itself works)", () => {
    expect(recorded.entities.size).toBeGreaterThanOrEqual(15);
    expect(recorded.actions.get("create")).toBeDefined();
    expect(recorded.entities.get("ai_tool")).toMatch(/^server\/ai\/tools\.ts:/);
  });

  it("names every entity and action the server records, with words for each in the catalogue", () => {
    const unnamedEntities = [...recorded.entities].filter(
      ([entity]) => !(ENTITIES as readonly string[]).includes(entity),
    );
    const unnamedActions = [...recorded.actions].filter(([action]) => !(ACTIONS as readonly string[]).includes(action));
    expect(unnamedEntities).toEqual([]);
    expect(unnamedActions).toEqual([]);
    expect(ENTITIES.filter((entity) => !(entity in en.entity))).toEqual([]);
    expect(ACTIONS.filter((action) => !(action in en.action))).toEqual([]);
  });
});
