import { describe, expect, it } from "vitest";
import { detectTopics, learnFromMessage, MAX_TOPICS, scoreSentiment, sentimentLabel } from "./learned-context";

describe("sentiment", () => {
  it("reads the mood of a message in English, Spanish and Portuguese", () => {
    expect(sentimentLabel(scoreSentiment("Thanks, that was great!"))).toBe("positive");
    expect(sentimentLabel(scoreSentiment("Muchas gracias, excelente servicio"))).toBe("positive");
    expect(sentimentLabel(scoreSentiment("Péssimo atendimento, estou com raiva"))).toBe("negative");
    expect(sentimentLabel(scoreSentiment("This is the worst service, totally unacceptable"))).toBe("negative");
    expect(sentimentLabel(scoreSentiment("What time do you open tomorrow?"))).toBe("neutral");
    expect(scoreSentiment("")).toBe(0);
  });

  it("turns a negated word around and weighs intensifiers and emoji", () => {
    expect(scoreSentiment("not good")).toBeLessThan(0);
    expect(scoreSentiment("no problem")).toBeGreaterThan(0);
    // …within its own sentence only.
    expect(sentimentLabel(scoreSentiment("Still no package. Worst service ever!!"))).toBe("negative");
    expect(scoreSentiment("very good")).toBeGreaterThan(scoreSentiment("good"));
    expect(scoreSentiment("👍")).toBeGreaterThan(0);
    expect(scoreSentiment("😡")).toBeLessThan(0);
  });

  it("stays within -1…1 however much is said", () => {
    expect(scoreSentiment("terrible ".repeat(500))).toBeGreaterThanOrEqual(-1);
    expect(scoreSentiment("great ".repeat(500))).toBeLessThanOrEqual(1);
  });
});

describe("topics", () => {
  it("finds built-in topics and the profile's own, with plurals and accents folded", () => {
    expect(detectTopics("How much is the price for delivery?")).toEqual(["pricing", "delivery"]);
    expect(detectTopics("¿Cuál es el horario?")).toEqual(["hours"]);
    expect(detectTopics("Do you do wedding cakes?", ["Wedding cakes", "Politics"])).toEqual(["wedding cakes"]);
    expect(detectTopics("I want to talk about politics", ["Politics"])).toEqual(["politics"]);
    expect(detectTopics("hello there", ["the"])).toEqual([]);
  });
});

describe("learnFromMessage", () => {
  it("keeps the newest topics first, without repeats, bounded", () => {
    let context = { topics: [] as string[], sentimentScore: null as number | null };
    context = learnFromMessage(context, "what is the price?");
    context = learnFromMessage(context, "and delivery? also the price");
    expect(context.topics).toEqual(["pricing", "delivery"]);
    const many = Array.from({ length: 12 }, (_, index) => `topic${index}`);
    const bounded = learnFromMessage({ topics: many, sentimentScore: 0 }, "price");
    expect(bounded.topics).toHaveLength(MAX_TOPICS);
    expect(bounded.topics[0]).toBe("pricing");
  });

  it("weighs the latest message most, and lets the mood fade on neutral messages", () => {
    const angry = learnFromMessage({ topics: [], sentimentScore: null }, "This is terrible, the worst!!");
    expect(angry.sentiment).toBe("negative");
    expect(angry.messageSentiment).toBe("negative");
    const calmer = learnFromMessage(angry, "ok, what are the options");
    expect(calmer.sentimentScore).toBeGreaterThan(angry.sentimentScore);
    expect(calmer.messageSentiment).toBe("neutral");
    const happy = learnFromMessage(calmer, "Great, thank you so much, excellent!");
    expect(happy.sentiment).toBe("positive");
  });
});
