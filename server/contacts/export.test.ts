import { describe, expect, it } from "vitest";
import { csvField } from "./export";

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
