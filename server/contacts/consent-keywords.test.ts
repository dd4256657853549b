import { describe, expect, it } from "vitest";
import { defaultOptOutKeywords, matchOptOutKeyword, normalizeConsentText } from "./consent-keywords";

const KEYWORDS = defaultOptOutKeywords();

describe("opt-out keyword matcher", () => {
  it("[consent] a whole message matches without case, accents or surrounding punctuation and spaces", () => {
    expect(matchOptOutKeyword("STOP", KEYWORDS)).toBe("STOP");
    expect(matchOptOutKeyword("stop", KEYWORDS)).toBe("STOP");
    expect(matchOptOutKeyword("Stop!", KEYWORDS)).toBe("STOP");
    expect(matchOptOutKeyword(" stop ", KEYWORDS)).toBe("STOP");
    expect(matchOptOutKeyword("\n¡¡Stop!!.\t", KEYWORDS)).toBe("STOP");
    expect(matchOptOutKeyword("baja", KEYWORDS)).toBe("BAJA");
    expect(matchOptOutKeyword("BÁJA", KEYWORDS)).toBe("BAJA");
    expect(matchOptOutKeyword("Sair.", KEYWORDS)).toBe("SAIR");
    expect(matchOptOutKeyword("🛑 unsubscribe 🛑", KEYWORDS)).toBe("UNSUBSCRIBE");
  });

  it("[consent] a keyword inside a longer message, or a longer word, is not one", () => {
    expect(matchOptOutKeyword("stop it please", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("stopping", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("don't stop", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("st op", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("!!!", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword(null, KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword(`stop${" ".repeat(1_000_000)}`, KEYWORDS)).toBeNull();
  });

  it("[consent] the configured keywords are the ones matched (a phrase too), none when the list is empty", () => {
    expect(matchOptOutKeyword("no more", ["No más", "no more"])).toBe("no more");
    expect(matchOptOutKeyword("NO  MAS", ["No más"])).toBe("No más");
    expect(matchOptOutKeyword("stop", ["halt"])).toBeNull();
    expect(matchOptOutKeyword("stop", [])).toBeNull();
  });

  it("[consent] hostile text is read safely (NUL, lone surrogates)", () => {
    expect(matchOptOutKeyword("stop\u0000", KEYWORDS)).toBeNull();
    expect(matchOptOutKeyword("\ud800stop", KEYWORDS)).toBeNull();
    expect(normalizeConsentText(" Ça  VA! ")).toBe("ca va");
  });
});
