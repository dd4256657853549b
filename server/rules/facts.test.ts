import { describe, expect, it } from "vitest";
import { buildFacts, isBusinessHours, localTime } from "./facts";

const HOURS = {
  mon: [{ start: "09:00", end: "17:00" }],
  tue: [],
  wed: [],
  thu: [],
  fri: [],
  sat: [{ start: "10:00", end: "12:00" }],
  sun: [],
};

describe("facts", () => {
  it("reads time in the org's time zone", () => {
    // 2026-11-23 is a Monday; 08:30 UTC is 09:30 in Berlin.
    const at = new Date("2026-11-23T08:30:00Z");
    expect(localTime(at, "Europe/Berlin")).toEqual({ hour: 9, minute: 30, weekday: "mon" });
    expect(isBusinessHours(at, "Europe/Berlin", HOURS)).toBe(true);
    expect(isBusinessHours(at, "UTC", HOURS)).toBe(false);
    expect(isBusinessHours(new Date("2026-11-23T17:00:00Z"), "UTC", HOURS)).toBe(false);
  });

  it("builds every fact from a message in context", () => {
    const now = new Date("2026-11-28T11:00:00Z");
    const facts = buildFacts({
      message: { body: "Olá", type: "text", hasMedia: false, isFirst: false, sentiment: "neutral" },
      contact: {
        name: "Ana",
        relationship: "client",
        priority: 2,
        tags: ["vip"],
        profileName: "Clients",
        optedOut: false,
        firstSeenAt: new Date("2026-11-18T12:00:00Z"),
        messageCount: 4,
      },
      thread: {
        mode: "bot",
        messageCount: 9,
        lastBotReplyAt: new Date("2026-11-28T09:30:00Z"),
        topics: ["pricing"],
        sentiment: "negative",
      },
      now,
      timeZone: "UTC",
      businessHours: HOURS,
    });
    expect(facts).toMatchObject({
      "message.length": 3,
      "message.sentiment": "neutral",
      "thread.topics": ["pricing"],
      "thread.sentiment": "negative",
      "contact.daysSinceFirstSeen": 9,
      "thread.minutesSinceLastBotReply": 90,
      "time.hour": 11,
      "time.weekday": "sat",
      "time.isBusinessHours": true,
    });
  });
});
