import { describe, expect, it } from "vitest";
import type { TRuleAction } from "~/server/rules/schema";
import { isSilentHandoff, withHandoffReply } from "./handoff-reply";

const handoff: TRuleAction = { type: "handoff", assigneeId: null, teamId: null, note: "" };
const tag: TRuleAction = { type: "tag", tag: "vip" };

describe("a hand-off that does not tell the contact", () => {
  it("is a hand-off with neither a reply nor an AI reply", () => {
    expect(isSilentHandoff([tag, handoff])).toBe(true);
    expect(isSilentHandoff([{ type: "reply", text: "One moment" }, handoff])).toBe(false);
    expect(isSilentHandoff([{ type: "ai_reply", profileId: null }, handoff])).toBe(false);
    expect(isSilentHandoff([tag])).toBe(false);
  });

  it("gets its reply just before the hand-off", () => {
    expect(withHandoffReply([tag, handoff, { type: "stop" }], "A person will answer you shortly.")).toEqual([
      tag,
      { type: "reply", text: "A person will answer you shortly." },
      handoff,
      { type: "stop" },
    ]);
  });
});
