import { describe, expect, it } from "vitest";
import { findTrigger, matchesQuery, mentionedIn } from "./composer-suggest";

describe("composer suggestions", () => {
  it('"/" at a word start opens saved replies, filtered by what follows', () => {
    expect(findTrigger("/", 1, { mentions: false })).toEqual({ kind: "slash", query: "", start: 0, end: 1 });
    expect(findTrigger("hello /ref", 10, { mentions: false })).toEqual({
      kind: "slash",
      query: "ref",
      start: 6,
      end: 10,
    });
    // Not inside a word or a link, not after a space that ended it.
    expect(findTrigger("and/or", 6, { mentions: false })).toBeNull();
    expect(findTrigger("see /ref now", 12, { mentions: false })).toBeNull();
  });

  it('"@" suggests teammates only where mentions are on (notes)', () => {
    expect(findTrigger("ask @an", 7, { mentions: true })).toEqual({ kind: "mention", query: "an", start: 4, end: 7 });
    expect(findTrigger("ask @an", 7, { mentions: false })).toBeNull();
    expect(findTrigger("mail a@b", 8, { mentions: true })).toBeNull();
  });

  it("matches ignoring case and accents", () => {
    expect(matchesQuery("Reembolso rápido", "RAPI")).toBe(true);
    expect(matchesQuery("Refund", "x")).toBe(false);
  });

  it("keeps only the mentions still in the text", () => {
    const picked = [
      { id: "1", name: "Ana" },
      { id: "2", name: "Ben" },
    ];
    expect(mentionedIn("@Ana please look", picked)).toEqual(["1"]);
  });
});
