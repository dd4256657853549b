import { describe, expect, it } from "vitest";
import { admitReplies, botPausedUntil, type TReplyCap, type TReplyCapState } from "./reply-cap";

const CAP: TReplyCap = { limit: 3, windowMinutes: 10, action: "quiet" };
const T0 = new Date("2026-12-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const EMPTY: TReplyCapState = { autoRepliesAt: [], botPausedAt: null, handoffAt: null };

/** Admits one message's replies after another, carrying the state, as the pipeline does. */
function run(times: number[], state: TReplyCapState = EMPTY, cap = CAP, count = 1) {
  const verdicts: string[] = [];
  for (const minute of times) {
    const verdict = admitReplies(state, cap, at(minute), count);
    verdicts.push(verdict.admitted ? "ok" : verdict.pausedNow ? "paused" : "quiet");
    state = verdict.state;
  }
  return { verdicts, state };
}

describe("reply cap", () => {
  it("admits up to the limit within the window, pauses once, then stays quiet for a whole window", () => {
    const { verdicts, state } = run([0, 1, 2, 3, 4, 12.9]);
    expect(verdicts).toEqual(["ok", "ok", "ok", "paused", "quiet", "quiet"]);
    expect(state.botPausedAt).toEqual(at(3));
    expect(botPausedUntil(state, CAP, at(4))).toEqual(at(13));
    // The pause is over after one window; the replies before it have left the window too.
    expect(botPausedUntil(state, CAP, at(13))).toBeNull();
    expect(run([13, 13.5, 14, 15], state).verdicts).toEqual(["ok", "ok", "ok", "paused"]);
  });

  it("counts a sliding window: replies older than the window no longer count", () => {
    expect(run([0, 5, 9, 10.5, 11]).verdicts).toEqual(["ok", "ok", "ok", "ok", "paused"]);
  });

  it("admits a message's replies together or not at all", () => {
    const first = admitReplies(EMPTY, CAP, at(0), 2);
    expect(first.admitted).toBe(true);
    const second = admitReplies(first.state, CAP, at(1), 2);
    expect(second).toMatchObject({ admitted: false, pausedNow: true });
    expect(second.state.autoRepliesAt).toHaveLength(2);
  });

  it("starts a fresh count, and ends a pause, when people took the conversation since", () => {
    const { state } = run([0, 1, 2, 3]);
    expect(botPausedUntil(state, CAP, at(4))).not.toBeNull();
    const handled = { ...state, handoffAt: at(5) };
    expect(botPausedUntil(handled, CAP, at(6))).toBeNull();
    expect(run([6, 7, 8, 9], handled).verdicts).toEqual(["ok", "ok", "ok", "paused"]);
  });

  it("forgets times that left the window, and applies a lowered limit at once", () => {
    const cap = { ...CAP, limit: 2 };
    const { state } = run([0, 11, 22, 33], EMPTY, cap);
    expect(state.autoRepliesAt).toEqual([at(33)]);
    expect(admitReplies(state, cap, at(34), 1).state.autoRepliesAt).toEqual([at(33), at(34)]);
    const busy = run([40, 41, 42, 43, 44], EMPTY, { ...CAP, limit: 5 }).state;
    expect(admitReplies(busy, cap, at(45), 1)).toMatchObject({ admitted: false, pausedNow: true });
  });
});
