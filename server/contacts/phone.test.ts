import { describe, expect, it } from "vitest";
import { toE164 } from "./phone";

describe("toE164", () => {
  it("normalises numbers, using the default country when there is no country code", () => {
    expect(toE164("(11) 98765-4321", "BR")).toEqual({ ok: true, e164: "+5511987654321" });
    expect(toE164("+1 415 555 2671", "DE")).toEqual({ ok: true, e164: "+14155552671" });
    expect(toE164("030 901820", "de")).toEqual({ ok: true, e164: "+4930901820" });
  });
  it("says why a number is refused", () => {
    expect(toE164("hello", "US")).toMatchObject({ ok: false, reason: expect.stringContaining("not a phone number") });
    expect(toE164("+1 415", "US")).toMatchObject({ ok: false });
    expect(toE164("+1 555 000 0000", "US")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not a valid number"),
    });
  });
});
