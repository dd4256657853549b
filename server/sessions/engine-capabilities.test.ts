import { describe, expect, it } from "vitest";
import { engineCan, NO_CAPABILITIES, readEngineCapabilities, ZEngineDescriptor } from "./engine-capabilities";

const PHONE = {
  ...NO_CAPABILITIES,
  text: true,
  media: ["image" as const, "voice" as const],
  reactions: true,
  pairing: ["qr" as const],
};

describe("engineCan", () => {
  it("answers yes/no capabilities, media kinds and pairing methods", () => {
    expect(engineCan(PHONE, "text")).toBe(true);
    expect(engineCan(PHONE, "reactions")).toBe(true);
    expect(engineCan(PHONE, "buttons")).toBe(false);
    expect(engineCan(PHONE, "media.voice")).toBe(true);
    expect(engineCan(PHONE, "media.sticker")).toBe(false);
    expect(engineCan(PHONE, "pairing.qr")).toBe(true);
    expect(engineCan(PHONE, "pairing.code")).toBe(false);
  });

  it("says no to everything for missing capabilities", () => {
    expect(engineCan(null, "text")).toBe(false);
    expect(engineCan(undefined, "pairing.qr")).toBe(false);
  });
});

describe("stored capabilities", () => {
  it("read back as stored when valid, and as none when not (never half-trusted)", () => {
    expect(readEngineCapabilities(PHONE)).toEqual(PHONE);
    expect(readEngineCapabilities({ ...PHONE, media: ["hologram"] })).toEqual(NO_CAPABILITIES);
    expect(readEngineCapabilities({ text: true })).toEqual(NO_CAPABILITIES);
    expect(readEngineCapabilities("everything")).toEqual(NO_CAPABILITIES);
  });

  it("an engine's kind is a short lower-case name", () => {
    const descriptor = {
      kind: "cloud-api",
      label: "Cloud API",
      description: "",
      capabilities: PHONE,
      settings: ["pacing"],
      controls: [],
      addable: true,
    };
    expect(ZEngineDescriptor.safeParse(descriptor).success).toBe(true);
    expect(ZEngineDescriptor.safeParse({ ...descriptor, kind: "Cloud API" }).success).toBe(false);
    expect(ZEngineDescriptor.safeParse({ ...descriptor, kind: "x" }).success).toBe(false);
  });
});
