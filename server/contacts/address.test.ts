import { describe, expect, it } from "vitest";
import { addressOf, identityOfAddress, parseAddress, preferredIdentity } from "./address";

describe("WhatsApp addresses", () => {
  it.each([
    ["5511999998888@c.us", { kind: "phone", value: "+5511999998888" }],
    ["+15550001111", { kind: "phone", value: "+15550001111" }],
    ["4915112345678@s.whatsapp.net", { kind: "phone", value: "+4915112345678" }],
    ["4915112345678:3@s.whatsapp.net", { kind: "phone", value: "+4915112345678" }],
    ["166337892180127@lid", { kind: "lid", value: "166337892180127" }],
    ["166337892180127:12@lid", { kind: "lid", value: "166337892180127" }],
    ["bsuid:US.13491208655302741918", { kind: "bsuid", value: "US.13491208655302741918" }],
    ["username:ana.lima", { kind: "username", value: "ana.lima" }],
  ])("reads %s", (raw, identity) => expect(parseAddress(raw)).toEqual(identity));

  it.each([
    "12036302@g.us",
    "status@broadcast",
    "x@newsletter",
    "hello",
    "+0123",
    "@lid",
    "12@lid",
    "username:Ana Lima",
    "",
  ])("refuses %j", (raw) => expect(parseAddress(raw)).toBeNull());

  it("turns every kind into a primary address and back", () => {
    for (const identity of [
      { kind: "phone", value: "+14155550123" },
      { kind: "lid", value: "166337892180127" },
      { kind: "bsuid", value: "US.1349" },
      { kind: "username", value: "ana" },
    ] as const) {
      expect(identityOfAddress(addressOf(identity))).toEqual(identity);
      expect(parseAddress(addressOf(identity))).toEqual(identity);
    }
    expect(addressOf({ kind: "lid", value: "166337892180127" })).toBe("166337892180127@lid");
  });

  it("prefers a phone as the primary address", () => {
    const lid = { kind: "lid", value: "166337892180127" } as const;
    const phone = { kind: "phone", value: "+14155550123" } as const;
    expect(preferredIdentity(lid, phone)).toBe(phone);
    expect(preferredIdentity(phone, lid)).toBe(phone);
    expect(preferredIdentity(lid, null)).toBe(lid);
  });
});
