import { describe, expect, it } from "vitest";
import { describeUnstorableText, fieldLabel, findUnstorableText, repairStrings, repairText } from "./storable-text";

describe("findUnstorableText", () => {
  it("finds nothing in ordinary values", () => {
    expect(findUnstorableText({ a: "olá 👋", b: [1, true, null, { c: "\u0001\t" }], d: new Date() })).toBeNull();
    expect(findUnstorableText("text")).toBeNull();
    expect(findUnstorableText(undefined)).toBeNull();
  });

  it("finds a NUL or a lone surrogate with the path to it, the first in document order", () => {
    expect(findUnstorableText({ a: "ok", b: ["x", "y\u0000"], c: "\uD800" })).toEqual({
      path: ["b", 1],
      problem: "nul",
      inKey: false,
    });
    expect(findUnstorableText({ name: "a\uDC00b" })).toEqual({
      path: ["name"],
      problem: "lone_surrogate",
      inKey: false,
    });
    expect(findUnstorableText("\u0000")).toEqual({ path: [], problem: "nul", inKey: false });
  });

  it("checks object keys, and the keys and values of maps and sets", () => {
    expect(findUnstorableText({ outer: { "k\u0000": 1 } })).toEqual({
      path: ["outer", "k\u0000"],
      problem: "nul",
      inKey: true,
    });
    expect(findUnstorableText(new Map([["\uD800", 1]]))).toMatchObject({ problem: "lone_surrogate" });
    expect(findUnstorableText(new Set(["a", "\u0000"]))).toEqual({ path: [1], problem: "nul", inKey: false });
  });

  it("refuses field names that reach a prototype: __proto__, constructor, prototype", () => {
    const polluting = JSON.parse('{"a":{"__proto__":{"x":1}}}') as unknown;
    expect(findUnstorableText(polluting)).toEqual({ path: ["a", "__proto__"], problem: "reserved_key", inKey: true });
    expect(findUnstorableText({ data: { constructor: "x" } })).toMatchObject({ path: ["data", "constructor"] });
    expect(findUnstorableText([{ prototype: 1 }])).toMatchObject({ problem: "reserved_key" });
    // As values they are ordinary text.
    expect(findUnstorableText({ name: "constructor" })).toBeNull();
  });

  it("walks 100,000 levels of nesting without overflowing the stack", () => {
    let deep: unknown = "\u0000";
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(findUnstorableText(deep)).toMatchObject({ problem: "nul" });
  });

  it("says what is wrong in words", () => {
    expect(describeUnstorableText({ problem: "nul", inKey: false, path: ["a"] })).toMatch(/^Contains a NUL character/);
    expect(describeUnstorableText({ problem: "lone_surrogate", inKey: true, path: ["a"] })).toMatch(
      /^Has a field name with/,
    );
    expect(describeUnstorableText({ problem: "reserved_key", inKey: true, path: ["data", "constructor"] })).toBe(
      "Has a field named “constructor”, which is not allowed; rename it",
    );
  });
});

describe("fieldLabel", () => {
  it.each([
    [["contact", "name"], "Name"],
    [["contact", "tags", 3], "Tags"],
    [["defaultCountry"], "Default country"],
    [["reply", "body"], "Message"],
    [["phone"], "Phone number"],
    [[], "The input"],
  ])("%j reads as %s", (path, label) => expect(fieldLabel(path)).toBe(label));
});

describe("repairText and repairStrings", () => {
  it("repairs text and says how", () => {
    expect(repairText("a\uD800b\u0000")).toEqual({ text: "a\uFFFDb", repairs: ["invalid_utf16", "nul_removed"] });
    expect(repairText("fine")).toEqual({ text: "fine", repairs: [] });
  });

  it("repairs every string and key of a value, and lists the repairs", () => {
    const { value, repairs } = repairStrings({
      pushName: "A\u0000",
      media: { fileName: "\uDC00.pdf", size: 3 },
      ["k\u0000"]: 1,
    });
    expect(value).toEqual({ pushName: "A", media: { fileName: "\uFFFD.pdf", size: 3 }, k: 1 });
    expect(repairs.sort()).toEqual(["invalid_utf16", "nul_removed"]);
    expect(findUnstorableText(value)).toBeNull();
  });
});
