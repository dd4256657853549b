import { describe, expect, it } from "vitest";
import type { TMessageContent } from "~/server/messages/content";
import { EXAMPLES } from "~/server/messages/examples";
import { buildFacts, isBusinessHours, localTime, type TFacts } from "./facts";

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

  it("gives each content's kind, caption, file type, quote, location, choice and reaction", () => {
    const factsOf = (content: TMessageContent | undefined, type = "text") =>
      buildFacts({
        message: {
          body: "",
          type,
          hasMedia: false,
          isFirst: false,
          sentiment: "neutral",
          ...(content ? { content } : {}),
        },
        contact: {
          name: null,
          relationship: "other",
          priority: 0,
          tags: [],
          profileName: null,
          optedOut: false,
          firstSeenAt: new Date(),
          messageCount: 1,
        },
        thread: { mode: "bot", messageCount: 1, lastBotReplyAt: null, topics: [], sentiment: "neutral" },
        now: new Date(),
        timeZone: "UTC",
        businessHours: HOURS,
      });
    const pick = (facts: TFacts) =>
      Object.fromEntries(Object.entries(facts).filter(([name]) => CONTENT_FACTS.includes(name)));
    const CONTENT_FACTS = [
      "message.kind",
      "message.caption",
      "message.mimeType",
      "message.hasQuote",
      "message.latitude",
      "message.longitude",
      "message.locationName",
      "message.replyId",
      "message.reaction",
    ];
    expect(pick(factsOf({ ...EXAMPLES.image, quoted: { waMessageId: "w1" } }))).toEqual({
      "message.kind": "image",
      "message.caption": "Our menu",
      "message.mimeType": "image/jpeg",
      "message.hasQuote": true,
      "message.latitude": null,
      "message.longitude": null,
      "message.locationName": "",
      "message.replyId": "",
      "message.reaction": "",
    });
    expect(pick(factsOf(EXAMPLES.location))).toMatchObject({
      "message.kind": "location",
      "message.hasQuote": false,
      "message.latitude": -23.55,
      "message.longitude": -46.63,
      "message.locationName": "Shop, Rua A, 1",
    });
    expect(factsOf(EXAMPLES.list_reply)["message.replyId"]).toBe("row-2");
    expect(factsOf(EXAMPLES.button_reply)["message.replyId"]).toBe("yes");
    expect(factsOf(EXAMPLES.reaction)["message.reaction"]).toBe("👍");
    expect(factsOf(EXAMPLES.contacts)).toMatchObject({ "message.kind": "contacts", "message.type": "text" });
    // A message described only by its type (the test panel, rows from before contents).
    expect(factsOf(undefined, "contact")["message.kind"]).toBe("contacts");
    expect(factsOf(undefined, "voice")["message.kind"]).toBe("voice");
  });
});
