import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { DOMAIN_KEY_OF_ENGLISH, DOMAIN_KEYS, domainText } from "~/server/i18n/domain";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** zod methods whose last argument may be the schema's own message. */
const ZOD_MESSAGE_METHODS = new Set([
  "min",
  "max",
  "length",
  "regex",
  "refine",
  "email",
  "url",
  "uuid",
  "startsWith",
  "endsWith",
  "includes",
  "gt",
  "gte",
  "lt",
  "lte",
  "nonempty",
  "multipleOf",
  "int",
  "positive",
  "nonnegative",
  "negative",
  "nonpositive",
]);
/** Options objects whose `message` / `error` is the schema's own message. */
const MESSAGE_PROPERTIES = new Set(["message", "error"]);

/** Where the environment is read and checked. */
const ENVIRONMENT_FILES = new Set(["server/env.ts", "server/media/env.ts"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "i18n" ? [] : files(full);
    // The environment's checks speak to whoever starts the processes, in the logs: English.
    if (ENVIRONMENT_FILES.has(path.relative(ROOT, full))) return [];
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [full] : [];
  });
}

/**
 * What domain code says to people but the catalogue cannot translate: an `AppError` message or
 * field error, or a zod schema's own message, written as text that is not an English message of
 * the `domain` namespace (or built with a template); a `serverText` key that does not exist.
 */
function untranslatable(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (node: ts.Node) =>
    `${path.relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  /** A message expression: literal text must be in the catalogue; templates and concatenations cannot be. */
  const checkText = (node: ts.Expression | undefined) => {
    if (!node) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (!DOMAIN_KEY_OF_ENGLISH.has(node.text)) found.push(`${where(node)}: not in the catalogue: "${node.text}"`);
    } else if (
      ts.isTemplateExpression(node) ||
      (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    ) {
      found.push(`${where(node)}: built text (use serverText(key, values)): ${node.getText(source).slice(0, 80)}`);
    } else if (ts.isConditionalExpression(node)) {
      checkText(node.whenTrue);
      checkText(node.whenFalse);
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && node.expression.getText(source) === "AppError") {
      const [, message, fields] = node.arguments ?? [];
      checkText(message);
      if (fields && ts.isObjectLiteralExpression(fields))
        for (const property of fields.properties)
          if (ts.isPropertyAssignment(property)) checkText(property.initializer);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText(source);
      if (name === "serverText") {
        const [key] = node.arguments;
        if (key && ts.isStringLiteral(key) && !DOMAIN_KEYS.has(key.text))
          found.push(`${where(key)}: no such key: domain.${key.text}`);
      }
      if (ZOD_MESSAGE_METHODS.has(name) && node.arguments.length >= 2) checkText(node.arguments.at(-1));
      if (ZOD_MESSAGE_METHODS.has(name) || name === "addIssue" || callee.getText(source).startsWith("z."))
        for (const argument of node.arguments)
          if (ts.isObjectLiteralExpression(argument))
            for (const property of argument.properties)
              if (ts.isPropertyAssignment(property) && MESSAGE_PROPERTIES.has(property.name.getText(source)))
                checkText(property.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("what domain code says goes through the catalogue", () => {
  it("every AppError message, field error and schema message is an English text of the domain namespace, or a key", () => {
    expect(files(path.join(ROOT, "server")).flatMap(untranslatable)).toEqual([]);
  });

  it("finds each English text again as itself (ICU quoting does not change it)", () => {
    expect([...DOMAIN_KEY_OF_ENGLISH.keys()].filter((text) => domainText("en", text) !== text)).toEqual([]);
  });
});
