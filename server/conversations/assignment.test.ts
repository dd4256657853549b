import { describe, expect, it } from "vitest";
import { pickAssignee } from "./assignment";

const member = (userId: string, order: number, open = 0, lastAssignedAt = 0) => ({
  userId,
  order,
  open,
  lastAssignedAt,
});

describe("pickAssignee", () => {
  it("[round robin] takes the next member with room after the last one, around the circle", () => {
    const team = [member("a", 0), member("b", 1), member("c", 2)];
    expect(pickAssignee("round_robin", team, 5, null)?.userId).toBe("a");
    expect(pickAssignee("round_robin", team, 5, 0)?.userId).toBe("b");
    expect(pickAssignee("round_robin", team, 5, 2)?.userId).toBe("a");
    // The last one is away now (not a candidate): the next after their place.
    expect(pickAssignee("round_robin", [member("a", 0), member("c", 2)], 5, 1)?.userId).toBe("c");
  });

  it("[round robin] skips members at the cap, and nobody has room: null", () => {
    expect(pickAssignee("round_robin", [member("a", 0), member("b", 1, 2)], 2, 0)?.userId).toBe("a");
    expect(pickAssignee("round_robin", [member("a", 0, 2), member("b", 1, 2)], 2, 0)).toBeNull();
  });

  it("[fewest open] takes the least busy; ties to the one given one longest ago, then the order", () => {
    expect(
      pickAssignee("fewest_open", [member("a", 0, 3), member("b", 1, 1), member("c", 2, 2)], 5, null)?.userId,
    ).toBe("b");
    expect(pickAssignee("fewest_open", [member("a", 0, 1, 200), member("b", 1, 1, 100)], 5, null)?.userId).toBe("b");
    expect(pickAssignee("fewest_open", [member("a", 0, 1, 0), member("b", 1, 1, 0)], 5, null)?.userId).toBe("a");
    expect(pickAssignee("fewest_open", [member("a", 0, 5), member("b", 1, 5)], 5, null)).toBeNull();
  });
});
