import { describe, expect, it } from "vitest";
import { readOrgSettings, ZOrgSettings, ZUpdateOrgSettingsInput } from "./schema";

describe("org settings schema", () => {
  it("fills every field from defaults, so old rows stay valid as fields are added", () => {
    const settings = ZOrgSettings.parse({});
    expect(settings.businessHours.fri).toEqual([{ start: "09:00", end: "17:00" }]);
    expect(settings.defaultCountry).toBe("US");
  });

  it("normalises the country code and accepts split hours", () => {
    const parsed = ZOrgSettings.parse({
      defaultCountry: " br ",
      businessHours: {
        mon: [
          { start: "08:00", end: "12:00" },
          { start: "13:00", end: "18:00" },
        ],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [],
        sun: [],
      },
    });
    expect(parsed.defaultCountry).toBe("BR");
    expect(parsed.businessHours.mon).toHaveLength(2);
  });

  it("rejects 24:00 and reversed intervals", () => {
    const day = (start: string, end: string) => ({
      mon: [{ start, end }],
      tue: [],
      wed: [],
      thu: [],
      fri: [],
      sat: [],
      sun: [],
    });
    expect(ZOrgSettings.safeParse({ businessHours: day("09:00", "24:00") }).success).toBe(false);
    expect(ZOrgSettings.safeParse({ businessHours: day("10:00", "09:59") }).success).toBe(false);
  });

  it("[settings] a time zone is checked by name, the same answer every time it is asked", () => {
    for (let round = 0; round < 2; round += 1) {
      expect(ZUpdateOrgSettingsInput.safeParse({ timeZone: "Europe/Berlin" }).success).toBe(true);
      expect(ZUpdateOrgSettingsInput.safeParse({ timeZone: "Mars/Olympus" }).success).toBe(false);
      expect(readOrgSettings({ timeZone: "Mars/Olympus" }).timeZone).toBe("UTC");
      expect(readOrgSettings({ timeZone: "Asia/Kolkata" }).timeZone).toBe("Asia/Kolkata");
    }
  });

  it("parses a partial update without inventing the missing fields", () => {
    expect(ZUpdateOrgSettingsInput.parse({ timeZone: "Asia/Tokyo" })).toEqual({ timeZone: "Asia/Tokyo" });
  });

  it("reads stored values field by field", () => {
    expect(readOrgSettings({ orgName: "Kept", defaultCountry: 42 })).toMatchObject({
      orgName: "Kept",
      defaultCountry: "US",
    });
    expect(readOrgSettings(null)).toEqual(ZOrgSettings.parse({}));
  });

  it("[settings] media retention: forever (null) by default, an empty field is forever, 1 to 3,650 whole days", () => {
    expect(ZOrgSettings.parse({}).mediaRetentionDays).toBeNull();
    expect(readOrgSettings({}).mediaRetentionDays).toBeNull();
    expect(ZUpdateOrgSettingsInput.parse({ mediaRetentionDays: "90" })).toEqual({ mediaRetentionDays: 90 });
    expect(ZUpdateOrgSettingsInput.parse({ mediaRetentionDays: "" })).toEqual({ mediaRetentionDays: null });
    expect(ZUpdateOrgSettingsInput.parse({ mediaRetentionDays: null })).toEqual({ mediaRetentionDays: null });
    for (const bad of [0, -1, 1.5, 3_651, "soon"])
      expect(ZUpdateOrgSettingsInput.safeParse({ mediaRetentionDays: bad }).success).toBe(false);
    expect(readOrgSettings({ mediaRetentionDays: 0 }).mediaRetentionDays).toBeNull();
    expect(readOrgSettings({ mediaRetentionDays: 30 }).mediaRetentionDays).toBe(30);
  });

  it("[settings] burst quiet period: 2,500 ms by default, 0 (off) to 10,000 whole milliseconds", () => {
    expect(ZOrgSettings.parse({}).replyQuietMs).toBe(2_500);
    expect(ZUpdateOrgSettingsInput.parse({ replyQuietMs: "0" })).toEqual({ replyQuietMs: 0 });
    expect(ZUpdateOrgSettingsInput.parse({ replyQuietMs: 4_000 })).toEqual({ replyQuietMs: 4_000 });
    for (const bad of [-1, 1.5, 10_001, "soon"])
      expect(ZUpdateOrgSettingsInput.safeParse({ replyQuietMs: bad }).success).toBe(false);
    expect(readOrgSettings({ replyQuietMs: -5 }).replyQuietMs).toBe(2_500);
  });

  it("[settings] rules wait for the quiet period only when chosen (off by default)", () => {
    expect(ZOrgSettings.parse({}).quietBeforeRules).toBe(false);
    expect(ZUpdateOrgSettingsInput.parse({ quietBeforeRules: true })).toEqual({ quietBeforeRules: true });
    expect(ZUpdateOrgSettingsInput.safeParse({ quietBeforeRules: "yes" }).success).toBe(false);
    expect(readOrgSettings({ quietBeforeRules: "maybe" }).quietBeforeRules).toBe(false);
  });

  it("[settings] daily AI budget: none by default; empty or 0 is none; a positive amount in dollars", () => {
    expect(ZOrgSettings.parse({}).aiDailyCapUsd).toBeNull();
    expect(ZUpdateOrgSettingsInput.parse({ aiDailyCapUsd: "" })).toEqual({ aiDailyCapUsd: null });
    expect(ZUpdateOrgSettingsInput.parse({ aiDailyCapUsd: "0" })).toEqual({ aiDailyCapUsd: null });
    expect(ZUpdateOrgSettingsInput.parse({ aiDailyCapUsd: null })).toEqual({ aiDailyCapUsd: null });
    expect(ZUpdateOrgSettingsInput.parse({ aiDailyCapUsd: "2.50" })).toEqual({ aiDailyCapUsd: 2.5 });
    for (const bad of [-1, 0.001, 100_001, "lots"])
      expect(ZUpdateOrgSettingsInput.safeParse({ aiDailyCapUsd: bad }).success).toBe(false);
  });

  it("[settings] opt-out keywords: every language's by default, the built-in confirmation, at most 30 words of 40 characters", () => {
    const defaults = ZOrgSettings.parse({}).optOut;
    expect(defaults.keywords).toEqual(["STOP", "UNSUBSCRIBE", "BAJA", "PARAR", "CANCELAR", "SAIR"]);
    expect(defaults.confirmation).toBe("");
    expect(readOrgSettings({ optOut: { keywords: "stop" } }).optOut).toEqual(defaults);
    const update = ZUpdateOrgSettingsInput.parse({ optOut: { keywords: [" Halt "], confirmation: " Bye " } });
    expect(update).toEqual({ optOut: { keywords: ["Halt"], confirmation: "Bye" } });
    expect(ZUpdateOrgSettingsInput.safeParse({ optOut: { keywords: [" "], confirmation: "" } }).success).toBe(false);
    expect(
      ZUpdateOrgSettingsInput.safeParse({ optOut: { keywords: ["x".repeat(41)], confirmation: "" } }).success,
    ).toBe(false);
    const many = Array.from({ length: 31 }, (_, index) => `w${index}`);
    expect(ZUpdateOrgSettingsInput.safeParse({ optOut: { keywords: many, confirmation: "" } }).success).toBe(false);
    expect(
      ZUpdateOrgSettingsInput.safeParse({ optOut: { keywords: [], confirmation: "y".repeat(1_001) } }).success,
    ).toBe(false);
    expect(ZUpdateOrgSettingsInput.safeParse({ optOut: { keywords: [], confirmation: "", extra: 1 } }).success).toBe(
      false,
    );
  });
});
