import { describe, expect, it } from "vitest";
import { insertAt } from "./insert-at";

describe("insertAt", () => {
  it("inserts at the cursor and puts the cursor after the insertion", () => {
    expect(insertAt("Hi , welcome", "{{contact.firstName}}", 3)).toEqual({
      text: "Hi {{contact.firstName}}, welcome",
      cursor: 24,
    });
  });

  it("replaces a selection", () => {
    expect(insertAt("Hi NAME!", "{{contact.name}}", 3, 7)).toEqual({ text: "Hi {{contact.name}}!", cursor: 19 });
  });

  it("keeps a cursor past the end (or before the start) inside the text", () => {
    expect(insertAt("Hi", "{{business.name}}", 10).text).toBe("Hi{{business.name}}");
    expect(insertAt("Hi", "{{business.name}}", -4).text).toBe("{{business.name}}Hi");
  });
});
