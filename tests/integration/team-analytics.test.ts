import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, messages, teams, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { insertUser } from "../support/database";
import { inbound, publishRules, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function callerOf(pipeline: Pick<TPipeline, "db" | "boss">, user: TSessionUser) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss }));
}

async function threadOf(pipeline: TPipeline, waId: string) {
  const [row] = await pipeline.db
    .select({ thread: threads })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row?.thread;
}

function waitForDecided(pipeline: TPipeline, waId: string, count: number) {
  return waitFor(
    async () => {
      const [row] = await pipeline.db
        .select({ n: sql<number>`count(*)::int` })
        .from(messages)
        .innerJoin(threads, eq(threads.id, messages.threadId))
        .innerJoin(contacts, eq(contacts.id, threads.contactId))
        .where(and(eq(contacts.waId, waId), eq(messages.direction, "in"), sql`${messages.processedAt} is not null`));
      return (row?.n ?? 0) >= count ? true : undefined;
    },
    15_000,
    `${count} messages of ${waId} decided`,
  );
}

/** From the hand-off event to the first reply a person wrote, in ms (what the figures are made of, to the microsecond). */
async function responseMs(pipeline: TPipeline, threadId: string): Promise<number> {
  const { rows } = await pipeline.db.execute<{ ms: number }>(sql`
    select extract(epoch from (
      (select min(created_at) from messages where thread_id = ${threadId} and source = 'agent')
      - (select at from events where thread_id = ${threadId} and type = 'thread.handoff'))) * 1000 as ms`);
  return Number(rows[0]!.ms);
}

describe("analytics per team and per agent", () => {
  it("[acceptance 3] counts hand-offs, first responses, SLA compliance and the survey's answers per team and per agent", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    const support = await admin.teams.create({ name: "Support", assignmentMode: "off", maxOpenPerAgent: 5 });
    const sales = await admin.teams.create({ name: "Sales", assignmentMode: "off", maxOpenPerAgent: 5 });
    await admin.teams.addMember({ teamId: support.id, userId: ana.id });
    await admin.teams.addMember({ teamId: sales.id, userId: ben.id });
    await pipeline.db.update(teams).set({ surveyEnabled: true }).where(eq(teams.id, support.id));
    await publishRules(pipeline.db, [
      {
        name: "Support",
        conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "support" }] },
        actions: [{ type: "handoff", teamId: support.id }],
      },
      {
        name: "Sales",
        conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "sales" }] },
        actions: [{ type: "handoff", teamId: sales.id }],
      },
    ]);
    const handOff = async (waId: string, word: string) => {
      await inbound(pipeline, waId, `I need ${word} please`);
      return waitFor(
        async () => {
          const thread = await threadOf(pipeline, waId);
          return thread?.mode === "human" ? thread : undefined;
        },
        10_000,
        `the hand-off of ${waId}`,
      );
    };
    const answerAndClose = async (agent: TSessionUser, threadId: string, close: boolean) => {
      const caller = callerOf(pipeline, agent);
      await caller.inbox.takeOver({ threadId });
      await caller.inbox.reply({ threadId, body: "Hello, how can I help?" });
      if (close) await caller.inbox.close({ threadId });
    };

    // Support: two answered and closed by Ana (rated 5, and 2 with a comment), one waiting.
    const a = await handOff("+14155550301", "support");
    await answerAndClose(ana, a.id, true);
    await inbound(pipeline, "+14155550301", "5");
    await waitForDecided(pipeline, "+14155550301", 2);
    const b = await handOff("+14155550302", "support");
    await answerAndClose(ana, b.id, true);
    await inbound(pipeline, "+14155550302", "2: too slow");
    await waitForDecided(pipeline, "+14155550302", 2);
    const c = await handOff("+14155550303", "support");
    // Sales: one answered by Ben, not closed (no survey).
    const d = await handOff("+14155550304", "sales");
    await answerAndClose(ben, d.id, false);

    // SLA clocks (the hand-off sets them from the team's targets; here set directly): a met, b breached, c running.
    const setSla = (id: string, values: Partial<typeof threads.$inferInsert>) =>
      pipeline.db.update(threads).set(values).where(eq(threads.id, id));
    const at = (thread: typeof a, minutes: number) => new Date(thread.handoffAt!.getTime() + minutes * 60_000);
    await setSla(a.id, {
      slaFirstResponseDueAt: at(a, 60),
      firstHumanReplyAt: at(a, 1),
      slaResolutionDueAt: at(a, 600),
    });
    await setSla(b.id, {
      slaFirstResponseDueAt: at(b, -1),
      firstHumanReplyAt: at(b, 1),
      slaFirstResponseBreachedAt: at(b, -1),
      slaResolutionDueAt: at(b, 600),
    });
    await setSla(c.id, { slaFirstResponseDueAt: at(c, 60), slaResolutionDueAt: at(c, 600) });

    const today = new Date().toISOString().slice(0, 10);
    const figures = await admin.analytics.teams({ from: today, to: today });
    const [msA, msB, msD] = [
      await responseMs(pipeline, a.id),
      await responseMs(pipeline, b.id),
      await responseMs(pipeline, d.id),
    ];
    const [low, high] = [Math.min(msA, msB), Math.max(msA, msB)];

    expect(figures.teams.map((team) => team.name)).toEqual(["Sales", "Support"]);
    const supportRow = figures.teams.find((team) => team.teamId === support.id)!;
    expect(supportRow.handedOff).toBe(3);
    expect(supportRow.firstResponse.count).toBe(2);
    expect(supportRow.firstResponse.medianMs).toBeCloseTo((low + high) / 2, 3);
    expect(supportRow.firstResponse.p90Ms).toBeCloseTo(low + 0.9 * (high - low), 3);
    expect(supportRow.sla).toEqual({
      firstResponse: { met: 1, breached: 1, pending: 1 },
      resolution: { met: 2, breached: 0, pending: 1 },
    });
    expect(supportRow.satisfaction).toEqual({
      sent: 2,
      answered: 2,
      average: 3.5,
      responseRate: 1,
      distribution: [0, 1, 0, 0, 1],
    });
    const salesRow = figures.teams.find((team) => team.teamId === sales.id)!;
    expect(salesRow).toMatchObject({
      handedOff: 1,
      firstResponse: { count: 1 },
      satisfaction: { sent: 0, answered: 0, average: null, responseRate: null },
    });
    expect(salesRow.firstResponse.medianMs).toBeCloseTo(msD, 3);

    expect(figures.agents.map((agent) => agent.name)).toEqual(["Ana", "Ben"]);
    expect(figures.agents[0]).toMatchObject({
      userId: ana.id,
      assigned: 2,
      firstResponse: { count: 2 },
      sla: { firstResponse: { met: 1, breached: 1, pending: 0 } },
      satisfaction: { sent: 2, answered: 2, average: 3.5, distribution: [0, 1, 0, 0, 1] },
    });
    expect(figures.agents[1]).toMatchObject({
      userId: ben.id,
      assigned: 1,
      firstResponse: { count: 1 },
      satisfaction: { sent: 0 },
    });

    // An unanswered survey lowers the response rate.
    const e = await handOff("+14155550305", "support");
    await answerAndClose(ana, e.id, true);
    const later = await admin.analytics.teams({ from: today, to: today });
    expect(later.teams.find((team) => team.teamId === support.id)!.satisfaction).toMatchObject({
      sent: 3,
      answered: 2,
      responseRate: 2 / 3,
    });

    // An agent sees every team and only their own agent row.
    const asBen = await callerOf(pipeline, ben).analytics.teams({ from: today, to: today });
    expect(asBen.agents.map((agent) => agent.name)).toEqual(["Ben"]);
    expect(asBen.teams).toHaveLength(2);

    // Another day: nothing.
    expect(await admin.analytics.teams({ from: "2020-01-01", to: "2020-01-01" })).toEqual({ teams: [], agents: [] });
  });
});
