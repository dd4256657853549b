import { describe, expect, it } from "vitest";
import { ZCampaignInput } from "./campaigns";

const input = (ratePerMinute: number) => ({
  name: "Menu",
  segmentId: "00000000-0000-4000-8000-000000000001",
  content: { kind: "text", body: "Hello" },
  sessionIds: ["00000000-0000-4000-8000-000000000002"],
  ratePerMinute,
});

describe("a campaign's rate", () => {
  it("goes up to 6,000 a minute (100 a second) and no further", () => {
    expect(ZCampaignInput.safeParse(input(6_000)).success).toBe(true);
    const over = ZCampaignInput.safeParse(input(6_001));
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe("At most 6,000 messages per minute");
    expect(ZCampaignInput.safeParse(input(0)).success).toBe(false);
  });
});
