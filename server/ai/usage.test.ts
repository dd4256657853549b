import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE, estimateCostMicros, priceOf, usageDay } from "./usage";

describe("AI usage estimates", () => {
  it("prices a model by its family, an unknown one by the default, the offline provider as free", () => {
    expect(priceOf("gemini-2.5-flash-lite").family).toBe("flash-lite");
    expect(priceOf("gemini-3.8-flash").family).toBe("flash");
    expect(priceOf("gemini-2.5-pro").family).toBe("pro");
    expect(priceOf("gemini-embedding-001").family).toBe("embedding");
    expect(priceOf("someone-elses-model")).toBe(DEFAULT_PRICE);
    expect(estimateCostMicros("profile", { prompt: 1_000, output: 1_000 })).toBe(0);
  });

  it("estimates micro-dollars from tokens in and out (Flash: $0.30 and $2.50 per million)", () => {
    expect(estimateCostMicros("gemini-3.8-flash", { prompt: 1_000_000, output: 0 })).toBe(300_000);
    expect(estimateCostMicros("gemini-3.8-flash", { prompt: 1_000, output: 100 })).toBe(300 + 250);
    // Rounded up: a call is never free.
    expect(estimateCostMicros("gemini-3.8-flash", { prompt: 1, output: 0 })).toBe(1);
  });

  it("counts days in UTC", () => {
    expect(usageDay(new Date("2026-12-07T23:30:00-05:00"))).toBe("2026-12-08");
  });
});
