import { describe, expect, it } from "vitest";
import { ZPacing } from "~/server/sessions/settings";
import { Pacer, type TClock } from "./pacing";

function fakeClock(): TClock & { elapsed: () => number } {
  let now = 0;
  return { now: () => now, sleep: (ms) => ((now += Math.max(0, ms)), Promise.resolve()), elapsed: () => now };
}

describe("Pacer", () => {
  it("lets a burst through, then one send per token", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(
      ZPacing.parse({ messagesPerMinute: 60, burst: 2, jitterMinMs: 0, jitterMaxMs: 0, perChatGapMs: 0 }),
      clock,
      () => 0,
    );
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await pacer.acquire(`chat-${i}`);
      times.push(clock.elapsed());
    }
    expect(times).toEqual([0, 0, 1_000, 2_000, 3_000]);
  });

  it("keeps the gap between two sends to the same chat, and adds jitter", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(
      ZPacing.parse({ messagesPerMinute: 600, burst: 10, jitterMinMs: 100, jitterMaxMs: 300, perChatGapMs: 4_000 }),
      clock,
      () => 0.5,
    );
    await pacer.acquire("a");
    expect(clock.elapsed()).toBe(200);
    await pacer.acquire("a");
    expect(clock.elapsed()).toBe(4_200);
    await pacer.acquire("b");
    expect(clock.elapsed()).toBe(4_400);
  });

  it("does not wait at all when pacing is off", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(ZPacing.parse({ enabled: false }), clock);
    for (let i = 0; i < 100; i += 1) await pacer.acquire("a");
    expect(clock.elapsed()).toBe(0);
  });
});
