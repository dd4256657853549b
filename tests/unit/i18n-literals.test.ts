import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Attributes people read or hear. */
const READ_ATTRIBUTES = new Set([
  "title",
  "aria-label",
  "placeholder",
  "alt",
  "label",
  "description",
  "heading",
  "summary",
]);
/** Words that are the same in every language: names. */
const NAMES = new Set(["Switchboard", "WhatsApp", "API", "JSON", "curl", "Gemini", "CSV", "URL", "OK"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return name.endsWith(".tsx") && !name.endsWith(".test.tsx") ? [full] : [];
  });
}

/**
 * Whether a piece of text is words a person reads: not a name, a symbol, a number, an HTML
 * entity, or one code-like token (an example URL, a model id, a key prefix).
 */
function isWords(raw: string): boolean {
  const text = raw.replace(/&\w+;/g, " ").trim();
  if (!/\s/.test(text) && /[_./:0-9-]/.test(text)) return false;
  const words = text.match(/[A-Za-zÀ-ÿ]{2,}/g) ?? [];
  return words.some((word) => !NAMES.has(word));
}

/**
 * Interface text written into the components instead of the catalogue: JSX text, and string
 * literals in attributes people read. Each is `file:line: text`.
 */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const at = (node: ts.Node, text: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    found.push(`${path.relative(ROOT, file)}:${line}: ${text.trim().slice(0, 80)}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && isWords(node.text)) at(node, node.text);
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(source))) {
      const value = node.initializer;
      const literal =
        value && ts.isStringLiteral(value)
          ? value
          : value && ts.isJsxExpression(value) && value.expression && ts.isStringLiteralLike(value.expression)
            ? value.expression
            : null;
      if (literal && isWords(literal.text)) at(literal, literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("interface text goes through the catalogue", () => {
  it("no component or page writes words people read as literals (JSX text, title, aria-label, placeholder, alt, label)", () => {
    const found = [...files(path.join(ROOT, "app")), ...files(path.join(ROOT, "components"))].flatMap(literals);
    expect(found).toEqual([]);
  });
});
