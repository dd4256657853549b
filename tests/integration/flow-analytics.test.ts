import { describe, expect, it } from "vitest";
import { contacts, flowRuns, flowSteps, threads, waSessions, type TFlowRunOutcome } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TFlowInput } from "~/server/flows/definition";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

/** menu → (orders) order → lookup → done | (returns) returns → done; people on errors. */
const DEFINITION: TFlowInput["definition"] = {
  start: "menu",
  steps: [
    {
      id: "menu",
      type: "ask",
      text: "Which?",
      answer: "choice",
      choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }] },
      routes: { returns: "returns" },
      variable: "topic",
      next: "order",
    },
    { id: "returns", type: "send", text: "Free returns.", next: "done" },
    {
      id: "order",
      type: "ask",
      text: "Number?",
      answer: "number",
      variable: "order",
      next: "lookup",
      onInvalid: "people",
    },
    { id: "lookup", type: "http", url: "https://shop.example/{{var.order}}", next: "done", onError: "people" },
    { id: "people", type: "handoff" },
    { id: "done", type: "end" },
  ],
};

const MINUTE = 60_000;
const DAY_START = Date.parse("2026-11-02T00:00:00Z");

describe("flow analytics (flowRuns.analytics)", () => {
  it("counts starts and outcomes, the completion rate, the median time to complete and the funnel in the flow's order, per version", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    await updateOrgSettings(db, null, { timeZone: "UTC" });
    const flowId = await publishFlowRows(db, { name: "Orders", definition: DEFINITION });
    // Version 2 drops the returns branch and adds a "thanks" step.
    await publishFlowRows(
      db,
      {
        name: "Orders",
        definition: {
          ...DEFINITION,
          steps: [
            ...DEFINITION.steps!.filter((step) => step.id !== "returns").map((step) =>
              step.id === "menu" ? { ...step, routes: {} } : step.id === "lookup" ? { ...step, next: "thanks" } : step,
            ),
            { id: "thanks", type: "send", text: "Thanks", next: "done" },
          ],
        },
      },
      flowId,
    );
    const [contact] = await db.insert(contacts).values({ sessionId, waId: "+14155550500" }).returning();
    const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
    const [otherSession] = await db.insert(waSessions).values({ name: "Other", kind: "simulator" }).returning();
    const [stranger] = await db
      .insert(contacts)
      .values({ sessionId: otherSession!.id, waId: "+14155550501" })
      .returning();
    const [strangerThread] = await db.insert(threads).values({ contactId: stranger!.id }).returning();

    /** A run of `version` started at minute `start` of the day, through `path`, ended after `minutes` with `outcome`. */
    async function seed(
      version: number,
      start: number,
      path: string[],
      outcome: TFlowRunOutcome | null,
      minutes = 0,
      threadId = thread!.id,
    ) {
      const startedAt = new Date(DAY_START + start * MINUTE);
      const [run] = await db
        .insert(flowRuns)
        .values({
          flowId,
          version,
          threadId,
          trigger: "keyword",
          startedAt,
          outcome,
          endedAt: outcome ? new Date(startedAt.getTime() + minutes * MINUTE) : null,
        })
        .returning();
      // A step asked and answered is two rows: the funnel counts the run once.
      const rows = path.flatMap((stepId) => (stepId === "menu" || stepId === "order" ? [stepId, stepId] : [stepId]));
      await db.insert(flowSteps).values(
        rows.map((stepId) => ({
          runId: run!.id,
          flowId,
          version,
          stepId,
          stepType: "send",
          detail: {},
          at: startedAt,
        })),
      );
    }
    // Version 1: three completed (2, 4 and 30 minutes), a hand-off, one still at the menu.
    await seed(1, 10, ["menu", "order", "lookup", "done"], "completed", 2);
    await seed(1, 20, ["menu", "returns", "done"], "completed", 4);
    await seed(1, 30, ["menu", "order", "lookup", "done"], "completed", 30);
    await seed(1, 40, ["menu", "order", "people"], "handed_off", 5);
    await seed(1, 50, ["menu"], null);
    // Version 2: one completed (10 minutes), one stopped at the order number.
    await seed(2, 60, ["menu", "order", "lookup", "thanks", "done"], "completed", 10);
    await seed(2, 70, ["menu", "order"], "stopped", 1);
    // Outside the range, and in another session: counted only when they belong.
    await seed(1, -60, ["menu", "order", "lookup", "done"], "completed", 1);
    await seed(1, 80, ["menu"], "failed", 1, strangerThread!.id);

    const manager = await insertUser(db, "manager");
    const agent = await insertUser(db, "agent");
    const caller = createCaller(testContext({ db, user: manager }));
    const range = { flowId, from: "2026-11-02", to: "2026-11-02" };

    const all = await caller.flowRuns.analytics(range);
    expect(all).toMatchObject({
      flow: { id: flowId, name: "Orders", publishedVersion: 2 },
      versions: [{ version: 2 }, { version: 1 }],
      version: null,
      starts: 8,
      completions: 4,
      handoffs: 1,
      stopped: 1,
      failed: 1,
      replaced: 0,
      running: 1,
      completionRate: 0.5,
    });
    // Completed in 2, 4, 10 and 30 minutes: the median is 7 minutes.
    expect(all.medianSecondsToComplete).toBe(420);
    // The order of the latest version (breadth first), then a step only version 1 had.
    expect(all.funnel.map((step) => [step.stepId, step.reached, step.fromStepId])).toEqual([
      ["menu", 8, null],
      ["order", 5, "menu"],
      ["lookup", 3, "order"],
      ["people", 1, "order"],
      ["thanks", 1, "lookup"],
      ["done", 4, "thanks"],
      ["returns", 1, null],
    ]);
    expect(all.funnel[1]).toMatchObject({ stepType: "ask", depth: 1, dropOff: 3 / 8 });
    expect(all.funnel[2]!.dropOff).toBeCloseTo(2 / 5);
    expect(all.funnel.at(-1)).toMatchObject({ stepType: null, depth: null, dropOff: null });

    const first = await caller.flowRuns.analytics({ ...range, version: 1 });
    expect(first).toMatchObject({ version: 1, starts: 6, completions: 3, handoffs: 1, failed: 1, running: 1 });
    expect(first.medianSecondsToComplete).toBe(240);
    expect(first.funnel.map((step) => [step.stepId, step.reached])).toEqual([
      ["menu", 6],
      ["returns", 1],
      ["order", 3],
      ["done", 3],
      ["lookup", 2],
      ["people", 1],
    ]);

    // One session only: the stranger's run is left out.
    const mine = await caller.flowRuns.analytics({ ...range, sessionId });
    expect(mine).toMatchObject({ starts: 7, failed: 0 });

    // A day with nothing.
    const empty = await caller.flowRuns.analytics({ flowId, from: "2026-10-01", to: "2026-10-01" });
    expect(empty).toMatchObject({ starts: 0, completionRate: null, medianSecondsToComplete: null });
    expect(empty.funnel.every((step) => step.reached === 0 && step.dropOff === null)).toBe(true);

    // Every insights role reads it (an agent too, like the rules table); the flows to pick from.
    await expect(createCaller(testContext({ db, user: agent })).flowRuns.analytics(range)).resolves.toMatchObject({
      starts: 8,
    });
    await expect(caller.flowRuns.analyticsFlows()).resolves.toEqual([
      { id: flowId, name: "Orders", publishedVersion: 2 },
    ]);
    await expect(caller.flowRuns.analytics({ ...range, version: 9 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
