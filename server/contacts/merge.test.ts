import { describe, expect, it } from "vitest";
import { planContactMerge, type TMergeSide } from "./merge";

const T0 = new Date("2026-01-01T00:00:00Z");
const T1 = new Date("2026-02-01T00:00:00Z");
const T2 = new Date("2026-03-01T00:00:00Z");

function side(
  id: string,
  contact: Partial<TMergeSide["contact"]>,
  thread: Partial<NonNullable<TMergeSide["thread"]>> | null = null,
): TMergeSide {
  return {
    contact: {
      id,
      sessionId: "s",
      waId: `+1415555000${id}`,
      name: null,
      relationship: "other",
      priority: 0,
      tags: [],
      profileId: null,
      notes: "",
      optedOut: false,
      optedInAt: null,
      optInSource: null,
      optedOutAt: null,
      blocked: false,
      attributes: {},
      fields: {},
      firstSeenAt: T1,
      lastInteractionAt: null,
      createdAt: T1,
      updatedAt: T1,
      ...contact,
    },
    thread: thread
      ? {
          id: `t${id}`,
          contactId: id,
          mode: "bot",
          assignedUserId: null,
          teamId: null,
          lastMessageAt: null,
          handoffAt: null,
          awaitingSince: null,
          humanActiveAt: null,
          closedAt: null,
          topics: [],
          sentiment: null,
          flow: null,
          sentimentScore: null,
          autoRepliesAt: [],
          botPausedAt: null,
          priority: "none",
          labels: [],
          snoozedAt: null,
          snoozedUntil: null,
          firstHumanReplyAt: null,
          slaFirstResponseDueAt: null,
          slaResolutionDueAt: null,
          slaFirstResponseBreachedAt: null,
          slaResolutionBreachedAt: null,
          analyticsNo: 1,
          createdAt: T1,
          updatedAt: T1,
          ...thread,
        }
      : null,
    identities: [{ kind: "phone", value: `+1415555000${id}` }],
    messages: 3,
    notes: 1,
  };
}

describe("planContactMerge", () => {
  it("keeps the older contact, its values where it has them, the other's where it has none, the stricter flags", () => {
    const older = side("1", { firstSeenAt: T0, name: "Ana", tags: ["vip"], attributes: { city: "Porto" } });
    const newer = side("2", {
      name: "Ana L.",
      relationship: "client",
      priority: 5,
      blocked: true,
      tags: ["vip", "lead"],
      notes: "prefers mornings",
      attributes: { city: "Lisbon", plan: "gold" },
      lastInteractionAt: T2,
    });
    // Whichever order they are given in.
    for (const plan of [planContactMerge(older, newer), planContactMerge(newer, older)]) {
      expect(plan.survivor.contact.id).toBe("1");
      expect(plan.contact).toMatchObject({
        name: "Ana",
        relationship: "client",
        priority: 5,
        blocked: true,
        optedOut: false,
        tags: ["vip", "lead"],
        notes: "prefers mornings",
        attributes: { city: "Porto", plan: "gold" },
        firstSeenAt: T0,
        lastInteractionAt: T2,
        waId: "+14155550001",
      });
      expect(plan.attributes.overridden).toEqual(["city"]);
      expect(plan.fields).toContainEqual({ field: "blocked", survivor: false, absorbed: true, result: true });
      expect(plan.identities.moving).toEqual([{ kind: "phone", value: "+14155550002" }]);
      expect(plan.moves).toEqual({ messages: 3, notes: 1, identities: 1 });
    }
  });

  it("keeps the survivor's custom field values and takes the other's for keys it lacks", () => {
    const older = side("1", { firstSeenAt: T0, fields: { plan: "Gold", age: 30 } });
    const newer = side("2", { fields: { plan: "Silver", vip: true } });
    for (const plan of [planContactMerge(older, newer), planContactMerge(newer, older)]) {
      expect(plan.contact.fields).toEqual({ plan: "Gold", age: 30, vip: true });
      expect(plan.customFields.overridden).toEqual(["plan"]);
    }
  });

  it("gives a LID-only survivor the other's number as its address", () => {
    const lid = side("1", { firstSeenAt: T0, waId: "166337892180127@lid" });
    lid.identities = [{ kind: "lid", value: "166337892180127" }];
    const plan = planContactMerge(lid, side("2", {}));
    expect(plan.contact.waId).toBe("+14155550002");
    expect(plan.fields[0]).toEqual({
      field: "waId",
      survivor: "166337892180127@lid",
      absorbed: "+14155550002",
      result: "+14155550002",
    });
  });

  it("joins two conversations: people keep it (and its team queue) if either was theirs; earliest waiting, latest activity", () => {
    const plan = planContactMerge(
      side("1", { firstSeenAt: T0 }, { mode: "bot", lastMessageAt: T1, awaitingSince: T1, topics: ["a"] }),
      side(
        "2",
        {},
        {
          mode: "human",
          assignedUserId: "u",
          teamId: "team",
          lastMessageAt: T2,
          awaitingSince: T0,
          topics: ["b"],
          sentiment: "negative",
        },
      ),
    );
    expect(plan.threadAction).toBe("merge");
    expect(plan.thread).toMatchObject({
      mode: "human",
      assignedUserId: "u",
      teamId: "team",
      lastMessageAt: T2,
      awaitingSince: T0,
      topics: ["a", "b"],
      sentiment: "negative",
      closedAt: null,
    });
    expect(
      planContactMerge(
        side("1", { firstSeenAt: T0 }, { mode: "closed", closedAt: T1 }),
        side("2", {}, { mode: "closed", closedAt: T2 }),
      ).thread,
    ).toMatchObject({ mode: "closed", closedAt: T2 });
    expect(planContactMerge(side("1", { firstSeenAt: T0 }), side("2", {}, {})).threadAction).toBe("move");
    expect(planContactMerge(side("1", { firstSeenAt: T0 }, {}), side("2", {})).threadAction).toBe("none");
  });

  it("joins two conversations' labels (each once) and keeps the higher priority", () => {
    const plan = planContactMerge(
      side("1", { firstSeenAt: T0 }, { priority: "low", labels: ["billing", "vip"] }),
      side("2", {}, { priority: "urgent", labels: ["vip", "refund"] }),
    );
    expect(plan.thread).toMatchObject({ priority: "urgent", labels: ["billing", "vip", "refund"] });
    expect(
      planContactMerge(side("1", { firstSeenAt: T0 }, { priority: "high" }), side("2", {}, { priority: "medium" }))
        .thread,
    ).toMatchObject({ priority: "high" });
  });
});
