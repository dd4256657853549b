import { describe, expect, it } from "vitest";
import { fold } from "./fold";

describe("fold", () => {
  it("[fold] lower-cases and drops accents, the same the first time and from its memory, short and long", () => {
    for (let round = 0; round < 2; round += 1) {
      expect(fold("Préço")).toBe("preco");
      expect(fold("ÁRVORE Ñandú")).toBe("arvore nandu");
      expect(fold("Préço")).toBe("preco");
    }
    const long = "Ç".repeat(300);
    expect(fold(long)).toBe("c".repeat(300));
    expect(fold(long)).toBe("c".repeat(300));
  });

  it("[fold] keeps answering right after more distinct texts than it remembers", () => {
    for (let index = 0; index < 2_100; index += 1) expect(fold(`Ítem ${index}`)).toBe(`item ${index}`);
    expect(fold("Préço")).toBe("preco");
  });
});
