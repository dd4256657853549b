import { describe, expect, it } from "vitest";
import { csvField, readExportFilters } from "./export";

describe("csvField", () => {
  it("quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(csvField('Ana "the" Lima, DDS')).toBe('"Ana ""the"" Lima, DDS"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("+14155552671")).toBe("+14155552671");
    expect(csvField(null)).toBe("");
    expect(csvField(false)).toBe("false");
  });
});

describe("readExportFilters", () => {
  it("reads the list's filters from the URL", () => {
    expect(readExportFilters(new URLSearchParams("search=Ana&optedOut=true&minPriority=2&sort=name"))).toMatchObject({
      search: "Ana",
      optedOut: true,
      minPriority: 2,
      sort: "name",
    });
  });

  it("refuses a NUL in a filter with a 400 naming it, instead of failing halfway through the download", () => {
    expect(() => readExportFilters(new URLSearchParams("search=a%00b"))).toThrow(/^Search: contains a NUL character/);
    expect(() => readExportFilters(new URLSearchParams("interactedSince=-271821-04-20"))).toThrow(/Interacted since/);
  });
});
