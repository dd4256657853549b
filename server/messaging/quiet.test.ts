import { describe, expect, it } from "vitest";
import { MAX_BURST_WAIT_MS } from "~/server/ai/burst";
import { quietVerdict, type TBurstState } from "./quiet";

const QUIET = 2_000;
const sent = new Date("2026-12-07T10:00:00Z");
const at = (ms: number) => new Date(sent.getTime() + ms);
const message = { id: "m", contactId: "c", createdAt: sent, body: "where is it?" };
const alone: TBurstState = { hasNewer: false, before: [] };
const notTyping = () => false;

describe("the quiet period before rules: what one message's decision does", () => {
  it("waits out the quiet period after the message, then decides it", () => {
    expect(quietVerdict(message, alone, QUIET, sent.getTime() + 100, notTyping)).toEqual({
      action: "defer",
      at: at(QUIET),
    });
    expect(quietVerdict(message, alone, QUIET, sent.getTime() + QUIET, notTyping)).toEqual({
      action: "decide",
      body: "where is it?",
      since: sent,
    });
  });

  it("waits while the contact types, but never past the bound after the message", () => {
    const typing = () => true;
    expect(quietVerdict(message, alone, QUIET, sent.getTime() + 3_000, typing)).toEqual({
      action: "defer",
      at: at(3_000 + QUIET),
    });
    expect(quietVerdict(message, alone, QUIET, sent.getTime() + MAX_BURST_WAIT_MS - 500, typing)).toEqual({
      action: "defer",
      at: at(MAX_BURST_WAIT_MS),
    });
    expect(quietVerdict(message, alone, QUIET, sent.getTime() + MAX_BURST_WAIT_MS, typing).action).toBe("decide");
  });

  it("merges a message that has a newer one in its burst, whenever it runs", () => {
    const state = { hasNewer: true, before: [] };
    expect(quietVerdict(message, state, QUIET, sent.getTime() + 10, notTyping)).toEqual({ action: "merged" });
    expect(quietVerdict(message, state, QUIET, sent.getTime() + 60_000, notTyping)).toEqual({ action: "merged" });
  });

  it("decides the burst's last message on its texts joined in order, from the burst's start", () => {
    const state: TBurstState = {
      hasNewer: false,
      before: [
        // Yesterday's unanswered message is not part of this burst (a gap longer than the bound).
        { body: "old question", at: at(-86_400_000) },
        { body: "hi", at: at(-1_500) },
        { body: "  ", at: at(-1_200) },
        { body: "I ordered last week", at: at(-800) },
      ],
    };
    expect(quietVerdict(message, state, QUIET, sent.getTime() + QUIET, notTyping)).toEqual({
      action: "decide",
      body: "hi\nI ordered last week\nwhere is it?",
      since: at(-1_500),
    });
  });
});
