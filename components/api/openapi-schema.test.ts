import { describe, expect, it } from "vitest";
import { openApiDocument } from "~/server/rest/openapi";
import {
  describeScalar,
  groupOperationsByTag,
  readableSchema,
  sketchSchema,
  type TOpenApiDocument,
} from "./openapi-schema";

const doc = openApiDocument() as unknown as TOpenApiDocument;

describe("the API reference's reading of openapi.json", () => {
  it("groups every operation under its tag, in order of first appearance", () => {
    const groups = groupOperationsByTag(doc);
    expect(groups.map(([tag]) => tag)).toEqual(["Messages", "Contacts", "Threads", "Simulator"]);
    const count = Object.values(doc.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
    expect(groups.flatMap(([, entries]) => entries)).toHaveLength(count);
  });

  it("sketches a request body with optional keys marked and limits spelled out", () => {
    const body = doc.paths["/messages"]!.post!.requestBody!.content!["application/json"]!.schema;
    const sketch = sketchSchema(doc, body) as Record<string, unknown>;
    expect(Object.keys(sketch).sort()).toEqual([
      "body?",
      "caption?",
      "expiresAt?",
      "media?",
      "sendAt?",
      "sessionId?",
      "template?",
      "to",
    ]);
    expect(sketch).toMatchObject({
      to: expect.stringMatching(/^string, 1–40 chars — /),
      "body?": expect.stringMatching(/^string, 1–4096 chars — /),
      "sessionId?": expect.stringMatching(/^string \(uuid\) — /),
      "caption?": expect.stringMatching(/^string, ≤ 4096 chars — /),
    });
    // A file by id or by URL: both forms, each with its own keys.
    const forms = (sketch["media?"] as { "(one of)": Record<string, string>[] })["(one of)"];
    expect(forms.map((form) => Object.keys(form).sort())).toEqual([
      ["fileName?", "id", "kind?"],
      ["fileName?", "kind?", "url"],
    ]);
  });

  it("resolves $refs two levels deep, then names them", () => {
    const sketch = sketchSchema(doc, { $ref: "#/components/schemas/SentMessage" }) as Record<string, unknown>;
    expect(sketch.message).toMatchObject({ id: "string (uuid)", queuedAt: "string (date-time) | null" });
    expect(sketchSchema(doc, { $ref: "#/components/schemas/SentMessage" }, 1)).toMatchObject({
      message: "<Message>",
    });
  });

  it("describes nullable, enum and bounded scalars on one line", () => {
    expect(
      describeScalar({ type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ).toBe("integer");
    expect(describeScalar({ type: ["string", "null"] })).toBe("string | null");
    expect(describeScalar({ type: "string", enum: ["bot", "human"] })).toBe("one of: bot, human");
    expect(describeScalar({ type: "integer", minimum: 1, maximum: 200, default: 50 })).toBe(
      "integer, 1–200, default 50",
    );
  });

  it("shows JSON Schema with one level of $ref resolved and format regexes left out", () => {
    const schema = readableSchema(doc, { $ref: "#/components/schemas/Ownership" }) as Record<string, unknown>;
    expect(schema.title).toBe("Ownership");
    expect(JSON.stringify(schema)).not.toContain("pattern");
  });
});
