import { describe, expect, it } from "vitest";
import { consentChange, optOutConfirmationText } from "./consent";

const AT = new Date("2026-12-07T10:00:00Z");
const EARLIER = new Date("2026-11-01T10:00:00Z");

describe("consent changes by staff and the API", () => {
  it("[consent] opting in records when and how, once", () => {
    expect(consentChange(null, { optedIn: true }, "api", AT)).toEqual({
      optedInAt: AT,
      optInSource: "api",
      optedOut: false,
      optedOutAt: null,
    });
    expect(consentChange({ optedOut: false, optedInAt: EARLIER }, { optedIn: true }, "agent", AT)).toEqual({});
  });

  it("[consent] opting back in after an opt-out is explicit, and clears the opt-out", () => {
    expect(
      consentChange({ optedOut: true, optedInAt: EARLIER }, { optedIn: true, optedOut: true }, "agent", AT),
    ).toEqual({ optedInAt: AT, optInSource: "agent", optedOut: false, optedOutAt: null });
    // Not asked to opt in: the opt-out stays.
    expect(consentChange({ optedOut: true, optedInAt: null }, { optedOut: true }, "agent", AT)).toEqual({});
  });

  it("[consent] a new opt-out records when, and wins over an opt-in given with it", () => {
    expect(
      consentChange({ optedOut: false, optedInAt: EARLIER }, { optedIn: true, optedOut: true }, "agent", AT),
    ).toEqual({ optedOut: true, optedOutAt: AT });
  });

  it("[consent] clearing the opt-in or the opt-out", () => {
    expect(
      consentChange({ optedOut: false, optedInAt: EARLIER }, { optedIn: false, optedOut: false }, "agent", AT),
    ).toEqual({ optedInAt: null, optInSource: null });
    expect(
      consentChange({ optedOut: true, optedInAt: null }, { optedIn: false, optedOut: false }, "agent", AT),
    ).toEqual({
      optedOut: false,
      optedOutAt: null,
    });
  });

  it("[consent] the confirmation: the org's own text, else the built-in one in the language", () => {
    expect(optOutConfirmationText("en", "  Bye!  ")).toBe("Bye!");
    expect(optOutConfirmationText("es", "")).toMatch(/dado de baja/);
    expect(optOutConfirmationText("pt-BR", " ")).toMatch(/descadastrado/);
    expect(optOutConfirmationText("en", "")).toMatch(/unsubscribed/);
  });
});
