import { describe, expect, it } from "vitest";
import { renderTemplate, unknownVariables } from "./templates";

describe("reply templates", () => {
  it("fills variables, with fallbacks for empty values", () => {
    expect(
      renderTemplate("Hi {{ contact.firstName | there }}, {{business.name}} opens {{business.hours}}.", {
        "contact.firstName": null,
        "business.name": "Acme",
        "business.hours": "9–5",
      }),
    ).toBe("Hi there, Acme opens 9–5.");
  });
  it("lists unknown variables once each, and accepts known ones", () => {
    expect(unknownVariables("{{contact.nick}} {{ x }} {{contact.nick}} {{contact.name}}")).toEqual([
      "contact.nick",
      "x",
    ]);
    expect(unknownVariables("Plain text")).toEqual([]);
  });
});
