import { describe, expect, it } from "vitest";
import { parsePhoneNumber, phoneCandidates } from "./phone";

describe("parsePhoneNumber", () => {
  it("normalises numbers, using the default country when there is no country code", () => {
    expect(parsePhoneNumber("(11) 98765-4321", "BR")).toEqual({ ok: true, e164: "+5511987654321" });
    expect(parsePhoneNumber("+1 415 555 2671", "DE")).toEqual({ ok: true, e164: "+14155552671" });
    expect(parsePhoneNumber("030 901820", "de")).toEqual({ ok: true, e164: "+4930901820" });
  });

  it("understands the default country's own international prefix (011 from the US)", () => {
    expect(parsePhoneNumber("011 44 20 7946 0000", "US")).toEqual({ ok: true, e164: "+442079460000" });
  });

  it("reads tel: URIs and WhatsApp ids", () => {
    expect(parsePhoneNumber("tel:+1-415-555-0123", "US")).toEqual({ ok: true, e164: "+14155550123" });
    expect(parsePhoneNumber("5511987654321@c.us", "US")).toEqual({ ok: true, e164: "+5511987654321" });
  });

  it.each([
    ["hello", "is not a phone number"],
    ["+1 415", "is too short"],
    ["+1 415 555 01234567", "is too long"],
    ["+1 555 123 4567", "is not a valid number for +1"],
    ["415 555 0123", "has no country code"],
    ["tel:+1-415-555-0123;ext=5", "has an extension"],
    // A + with no country code after it is not "no country code"; a dialling prefix gets a hint.
    ["+999 123 456 789", "does not start with a country code (+999… is none)"],
    ["0014155550131", "starts with 00; write + instead of it"],
  ])("refuses %j, saying it %s", (input, reason) => {
    const verdict = parsePhoneNumber(input, input === "415 555 0123" ? "ZZ" : "US");
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it("accepts a number WhatsApp gave us (a stored contact's) as it is, however it is typed", () => {
    const known = new Set(["+15551234567", "+9991234567"]);
    expect(parsePhoneNumber("+15551234567", "US", known)).toEqual({ ok: true, e164: "+15551234567" });
    expect(parsePhoneNumber("tel:+1-555-123-4567", "US", known)).toEqual({ ok: true, e164: "+15551234567" });
    expect(parsePhoneNumber("(555) 123-4567", "US", known)).toEqual({ ok: true, e164: "+15551234567" });
    // Not even a country libphonenumber knows: its digits still match.
    expect(parsePhoneNumber("+999 123 4567", "US", known)).toEqual({ ok: true, e164: "+9991234567" });
    expect(parsePhoneNumber("+15551234568", "US", known)).toMatchObject({ ok: false });
  });

  it("lists the stored forms a typed number could be", () => {
    expect(phoneCandidates("+999 123 4567", "US")).toEqual(["+9991234567"]);
    expect(phoneCandidates("(555) 123-4567", "US")).toEqual(["+15551234567"]);
    expect(phoneCandidates("hello", "US")).toEqual([]);
  });
});
