import { describe, expect, it } from "vitest";
import { negotiateLocale } from "./locales";

describe("negotiateLocale", () => {
  it("takes the browser's preferred language we have, by q-value then order", () => {
    expect(negotiateLocale("pt-BR,pt;q=0.9,en;q=0.8")).toBe("pt-BR");
    expect(negotiateLocale("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7")).toBe("es");
    expect(negotiateLocale("en;q=0.5,es;q=0.9")).toBe("es");
    expect(negotiateLocale("de,en-GB")).toBe("en");
  });

  it("matches by language when the region differs", () => {
    expect(negotiateLocale("es-MX")).toBe("es");
    expect(negotiateLocale("pt-PT")).toBe("pt-BR");
    expect(negotiateLocale("PT-br")).toBe("pt-BR");
  });

  it("falls back to English for nothing, junk, or refused languages", () => {
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale("*")).toBe("en");
    expect(negotiateLocale("es;q=0, fr")).toBe("en");
    expect(negotiateLocale("\u0000;q=abc,,,;;")).toBe("en");
    expect(negotiateLocale("x".repeat(100_000))).toBe("en");
  });
});
