import { describe, expect, it } from "vitest";
import { normaliseText, PASSAGE_MAX, passageTitle, splitText } from "./split";

const sentence = (n: number) => `Sentence number ${n} tells the customer something useful about the shop.`;
const paragraph = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => sentence(from + index)).join(" ");

describe("splitText", () => {
  it("[split] titles passages with the source title and the section's heading", () => {
    const passages = splitText("Intro line.\n\n# Hours\n\nOpen 9 to 5.\n\n## Holidays\n\nClosed on Sunday.", "Shop");
    expect(passages).toEqual([
      { title: "Shop", body: "Intro line." },
      { title: "Shop › Hours", body: "Open 9 to 5." },
      { title: "Shop › Holidays", body: "Closed on Sunday." },
    ]);
  });

  it("[split] packs paragraphs into passages of at most the maximum, never across a heading", () => {
    const text = `# One\n\n${[1, 20, 40, 60, 80].map((from) => paragraph(from, 5)).join("\n\n")}\n\n# Two\n\nShort.`;
    const passages = splitText(text, "Guide");
    const one = passages.filter((passage) => passage.title === "Guide › One");
    expect(one.length).toBeGreaterThan(1);
    for (const passage of one) {
      expect(passage.body.length).toBeLessThanOrEqual(PASSAGE_MAX);
      expect(passage.body.length).toBeGreaterThan(300);
    }
    expect(passages.at(-1)).toEqual({ title: "Guide › Two", body: "Short." });
    // Nothing lost, nothing repeated.
    expect(one.map((passage) => passage.body).join("\n\n")).toBe(
      [1, 20, 40, 60, 80].map((from) => paragraph(from, 5)).join("\n\n"),
    );
  });

  it("[split] breaks a long paragraph between sentences or words, never inside a word", () => {
    const words = Array.from({ length: 800 }, (_, index) => `word${index}`).join(" ");
    const passages = splitText(words, "Long");
    expect(passages.length).toBeGreaterThan(1);
    const seen = passages.flatMap((passage) => passage.body.split(/\s+/));
    expect(seen).toEqual(words.split(" "));
    for (const passage of passages) expect(passage.body.length).toBeLessThanOrEqual(PASSAGE_MAX);
  });

  it("[split] keeps the lines of a short table or list together", () => {
    const table = ["| Cake | Price |", "| --- | --- |", "| Large | 45.00 EUR |", "| Small | 20.00 EUR |"].join("\n");
    // The paragraph leaves room for the table's first lines in its passage, not for the whole table.
    const text = `${"word ".repeat(230).trim()}\n\n${table}\n\n${paragraph(20, 2)}`;
    const passages = splitText(text, "Prices");
    const holding = passages.filter((passage) => passage.body.includes("| Cake"));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.body).toContain(table);
  });

  it("[split] a page break is a paragraph break; control characters and lone surrogates go", () => {
    expect(normaliseText("a\fb\u0000c\uD800d\r\ne")).toBe("a\n\nbcd\ne");
    expect(splitText("First page.\fSecond page.", "PDF")).toEqual([
      { title: "PDF", body: "First page.\n\nSecond page." },
    ]);
  });

  it("[split] empty text gives no passages; a heading without text gives none either", () => {
    expect(splitText("   \n\n", "Empty")).toEqual([]);
    expect(splitText("# Only a heading", "Empty")).toEqual([]);
    expect(passageTitle("", "Heading")).toBe("Heading");
  });
});
