import { describe, expect, it } from "vitest";
import { PRESENCE_SHOWN_FOR_MS, shownPresence, type TReceivedPresence } from "./presence-state";

const THREAD = "3f1f0c1e-0000-4000-8000-000000000001";
const at = 1_000_000;
const received = (state: TReceivedPresence["state"]): TReceivedPresence => ({
  threadId: THREAD,
  state,
  receivedAt: at,
});

describe("a contact's presence in the Inbox", () => {
  it("typing and recording show for 25 s after the last notice, then fade (WhatsApp sends no 'stopped' when the app closes)", () => {
    for (const state of ["typing", "recording"] as const) {
      expect(shownPresence(received(state), THREAD, at)).toBe(state);
      expect(shownPresence(received(state), THREAD, at + 24_999)).toBe(state);
      expect(shownPresence(received(state), THREAD, at + 25_000)).toBeNull();
    }
  });

  it("online shows for 5 minutes", () => {
    expect(shownPresence(received("online"), THREAD, at + 4 * 60_000)).toBe("online");
    expect(shownPresence(received("online"), THREAD, at + PRESENCE_SHOWN_FOR_MS.online)).toBeNull();
  });

  it("paused and offline show nothing, at once", () => {
    expect(shownPresence(received("paused"), THREAD, at)).toBeNull();
    expect(shownPresence(received("offline"), THREAD, at)).toBeNull();
  });

  it("another conversation's presence never shows in this one", () => {
    expect(shownPresence(received("typing"), "3f1f0c1e-0000-4000-8000-000000000002", at)).toBeNull();
    expect(shownPresence(null, THREAD, at)).toBeNull();
  });
});
