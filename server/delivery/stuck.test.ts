import { describe, expect, it } from "vitest";
import { causeOf, STUCK_CAUSES, stuckCauseOf, stuckFlagOf } from "./stuck";

describe("stuck causes", () => {
  it("the number's own state comes first: a disconnected number is never the engine's or the contact's fault", () => {
    expect(causeOf({ status: "queued", session_ready: false })).toBe("number_disconnected");
    expect(causeOf({ status: "sent", session_ready: false })).toBe("number_disconnected");
    expect(causeOf({ status: "queued", session_ready: true })).toBe("not_accepted");
    expect(causeOf({ status: "sent", session_ready: true })).toBe("not_delivered");
  });

  it("reads a cause back from a message's flags, ignoring other flags and unknown causes", () => {
    for (const cause of STUCK_CAUSES) expect(stuckCauseOf(["empty", stuckFlagOf(cause), "stuck_resent"])).toBe(cause);
    expect(stuckCauseOf(["expires_at:2026-01-01T00:00:00.000Z", "stuck_resent"])).toBeNull();
    expect(stuckCauseOf(["stuck:lost_in_space"])).toBeNull();
    expect(stuckCauseOf([])).toBeNull();
  });
});
