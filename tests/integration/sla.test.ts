import { and, asc, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, events, threads, webhookDeliveries } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { enqueue } from "~/server/jobs/boss";
import { sweepSlaBreaches } from "~/server/teams/sla";
import { defaultWebhookConfig } from "~/server/webhooks/deliver";
import { ZWebhookPayload } from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { inbound, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";
import { startWebhookReceiver } from "../support/webhook-receiver";

const APP_SECRET = "s".repeat(40);
const MINUTE = 60_000;

function callerOf(pipeline: Pick<TPipeline, "db" | "boss">, user: TSessionUser) {
  return createCaller(
    testContext({
      db: pipeline.db,
      user,
      boss: pipeline.boss,
      webhooks: { appSecret: APP_SECRET, allowPrivate: true, rotationOverlapHours: 24 },
    }),
  );
}

async function threadOf(db: TDb, waId: string) {
  const [row] = await db
    .select({ thread: threads })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row?.thread;
}

async function breachesOf(db: TDb, threadId: string) {
  const rows = await db
    .select({ payload: events.payload })
    .from(events)
    .where(and(eq(events.threadId, threadId), eq(events.type, "thread.sla_breached")))
    .orderBy(asc(events.at), asc(events.id));
  return rows.map((row) => row.payload);
}

/** A team with SLA targets, a member, and a rule handing "human" over to it. */
async function slaTeam(
  pipeline: TPipeline,
  targets: { slaFirstResponseMinutes: number; slaResolutionMinutes: number },
) {
  const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
  const agent = await insertUser(pipeline.db, "agent");
  const team = await admin.teams.create({ name: "Support", acknowledge: false, ...targets });
  await admin.teams.addMember({ teamId: team.id, userId: agent.id });
  await admin.rules.create({
    name: "Wants a person",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
    actions: [{ type: "handoff", teamId: team.id }],
  });
  await admin.rules.publish({});
  return { admin, agent: callerOf(pipeline, agent), agentId: agent.id, team };
}

async function handOff(pipeline: TPipeline, waId: string) {
  await inbound(pipeline, waId, "a human please");
  return waitFor(
    async () => {
      const thread = await threadOf(pipeline.db, waId);
      return thread?.mode === "human" ? thread : undefined;
    },
    10_000,
    `the hand-off of ${waId}`,
  );
}

describe("SLA targets of teams", () => {
  it("[sla] a hand-off sets the due times; a breach is stamped and recorded exactly once; a person's reply in time means no first-response breach", async () => {
    const pipeline = await startPipeline();
    const { admin, agent, agentId, team } = await slaTeam(pipeline, {
      slaFirstResponseMinutes: 10,
      slaResolutionMinutes: 60,
    });
    const late = await handOff(pipeline, "+14155552001");
    const handoffAt = late.handoffAt!.getTime();
    expect(late.slaFirstResponseDueAt?.getTime()).toBe(handoffAt + 10 * MINUTE);
    expect(late.slaResolutionDueAt?.getTime()).toBe(handoffAt + 60 * MINUTE);
    expect(late.firstHumanReplyAt).toBeNull();

    // The other conversation is answered by a person at once.
    const answered = await handOff(pipeline, "+14155552002");
    await agent.inbox.takeOver({ threadId: answered.id });
    await agent.inbox.reply({ threadId: answered.id, body: "Hello!" });
    expect((await threadOf(pipeline.db, "+14155552002"))!.firstHumanReplyAt).not.toBeNull();

    // Before the due time: nothing.
    expect(await sweepSlaBreaches(pipeline.db, new Date(handoffAt + 9 * MINUTE))).toEqual([]);
    // Past it: the unanswered one only, once however often the sweep runs.
    const breaches = await sweepSlaBreaches(pipeline.db, new Date(handoffAt + 11 * MINUTE));
    expect(breaches).toEqual([
      {
        target: "first_response",
        threadId: late.id,
        teamId: team.id,
        dueAt: new Date(handoffAt + 10 * MINUTE).toISOString(),
        assigneeId: null,
      },
    ]);
    expect(await sweepSlaBreaches(pipeline.db, new Date(handoffAt + 12 * MINUTE))).toEqual([]);
    expect(await breachesOf(pipeline.db, late.id)).toEqual([
      {
        target: "first_response",
        teamId: team.id,
        dueAt: new Date(handoffAt + 10 * MINUTE).toISOString(),
        assigneeId: null,
      },
    ]);
    expect(await breachesOf(pipeline.db, answered.id)).toEqual([]);
    expect((await threadOf(pipeline.db, "+14155552001"))!.slaFirstResponseBreachedAt?.getTime()).toBe(
      handoffAt + 11 * MINUTE,
    );
    // The Inbox's list rows carry the clocks (timers, breaches).
    const listed = (await admin.inbox.list({ filter: "needs_human" })).threads;
    expect(listed.find((row) => row.threadId === late.id)?.sla).toEqual({
      firstResponseDueAt: new Date(handoffAt + 10 * MINUTE),
      resolutionDueAt: new Date(handoffAt + 60 * MINUTE),
      firstHumanReplyAt: null,
      firstResponseBreachedAt: new Date(handoffAt + 11 * MINUTE),
      resolutionBreachedAt: null,
    });

    // Resolution: the one closed in time is not breached; the one still open is, with its owner.
    await agent.inbox.close({ threadId: answered.id });
    await admin.inbox.assign({ threadId: late.id, userId: agentId });
    const resolution = await sweepSlaBreaches(pipeline.db, new Date(handoffAt + 61 * MINUTE));
    expect(resolution.map(({ target, threadId, assigneeId }) => ({ target, threadId, assigneeId }))).toEqual([
      { target: "resolution", threadId: late.id, assigneeId: agentId },
    ]);
    expect(await sweepSlaBreaches(pipeline.db, new Date(handoffAt + 120 * MINUTE))).toEqual([]);

    // A new hand-off starts the clocks again.
    await admin.inbox.release({ threadId: late.id });
    const again = await handOff(pipeline, "+14155552001");
    expect(again).toMatchObject({
      firstHumanReplyAt: null,
      slaFirstResponseBreachedAt: null,
      slaResolutionBreachedAt: null,
    });
    expect(again.slaFirstResponseDueAt!.getTime()).toBe(again.handoffAt!.getTime() + 10 * MINUTE);
  }, 60_000);

  it("[sla] a team without targets sets no due times; a person taking a bot conversation clears those of an earlier hand-off", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({ name: "No promises", acknowledge: false });
    await admin.rules.create({
      name: "Wants a person",
      conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
      actions: [{ type: "handoff", teamId: team.id }],
    });
    await admin.rules.publish({});
    const thread = await handOff(pipeline, "+14155552101");
    expect(thread).toMatchObject({ teamId: team.id, slaFirstResponseDueAt: null, slaResolutionDueAt: null });

    // Clocks left from an earlier hand-off do not fire against a person taking the conversation later.
    await admin.inbox.release({ threadId: thread.id });
    await pipeline.db.execute(sql`
      update threads set sla_first_response_due_at = now() - interval '1 hour',
        sla_resolution_due_at = now() - interval '1 hour' where id = ${thread.id}`);
    await admin.inbox.takeOver({ threadId: thread.id });
    expect(await threadOf(pipeline.db, "+14155552101")).toMatchObject({
      slaFirstResponseDueAt: null,
      slaResolutionDueAt: null,
    });
    expect(await sweepSlaBreaches(pipeline.db)).toEqual([]);
  }, 60_000);

  it("[flows] a flow's hand-off to a team after a wait (moved by its job) starts the clocks too", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({
      name: "Orders",
      acknowledge: false,
      slaFirstResponseMinutes: 5,
      slaResolutionMinutes: 30,
    });
    await publishFlowRows(pipeline.db, {
      name: "To orders after a moment",
      triggers: { keywords: ["later"], firstMessage: false },
      definition: {
        start: "wait",
        steps: [
          { id: "wait", type: "wait", mode: "delay", seconds: 1, next: "person" },
          { id: "person", type: "handoff", teamId: team.id },
        ],
      },
    });
    await inbound(pipeline, "+14155552301", "later");
    const thread = await waitFor(
      async () => {
        const current = await threadOf(pipeline.db, "+14155552301");
        return current?.mode === "human" ? current : undefined;
      },
      15_000,
      "the flow's hand-off",
    );
    expect(thread.slaFirstResponseDueAt!.getTime()).toBe(thread.handoffAt!.getTime() + 5 * MINUTE);
    expect(thread.slaResolutionDueAt!.getTime()).toBe(thread.handoffAt!.getTime() + 30 * MINUTE);
  }, 60_000);

  it("[teams] the reception and SLA settings are saved and listed; out-of-range targets and overlong texts are refused", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({ name: "Desk" });
    expect(team).toMatchObject({
      businessHours: null,
      acknowledge: true,
      ackMessage: null,
      closedMessage: null,
      slaFirstResponseMinutes: null,
      slaResolutionMinutes: null,
      surveyEnabled: false,
    });
    const hours = { mon: [{ start: "08:00", end: "12:00" }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    await admin.teams.update({
      id: team.id,
      businessHours: hours,
      ackMessage: "  Back in {{wait}}  ",
      closedMessage: "",
      slaFirstResponseMinutes: 15,
      slaResolutionMinutes: 480,
      surveyEnabled: true,
    });
    // Only what is given changes; null puts a default back.
    await admin.teams.update({ id: team.id, acknowledge: false, slaResolutionMinutes: null });
    const [listed] = await admin.teams.list();
    expect(listed).toMatchObject({
      businessHours: hours,
      acknowledge: false,
      ackMessage: "Back in {{wait}}",
      closedMessage: null,
      slaFirstResponseMinutes: 15,
      slaResolutionMinutes: null,
      surveyEnabled: true,
    });
    await expect(admin.teams.update({ id: team.id, slaFirstResponseMinutes: 0 })).rejects.toThrow(
      "Between 1 and 100,000 minutes",
    );
    await expect(admin.teams.update({ id: team.id, ackMessage: "x".repeat(1001) })).rejects.toThrow(
      "At most 1,000 characters",
    );
    await expect(
      admin.teams.update({ id: team.id, businessHours: { ...hours, mon: [{ start: "12:00", end: "08:00" }] } }),
    ).rejects.toThrow("The end must be after the start");
  }, 60_000);

  it("[webhooks] the team.sla job records a breach that reaches a subscribed webhook, in the documented shape", async () => {
    const receiver = await startWebhookReceiver(() => ({ status: 200 }));
    const pipeline = await startPipeline(
      {},
      {
        webhooks: defaultWebhookConfig(APP_SECRET, {
          allowPrivate: true,
          timeoutMs: 2_000,
          scheduleS: [0, 0.05, 0.1],
        }),
      },
    );
    const { admin, team } = await slaTeam(pipeline, { slaFirstResponseMinutes: 1, slaResolutionMinutes: 100_000 });
    const { endpoint, secret } = await admin.webhooks.create({ url: receiver.url, events: ["thread.sla_breached"] });
    const thread = await handOff(pipeline, "+14155552201");
    // A minute is long for a test: the due time moves into the past, then the cron's job runs.
    await pipeline.db.execute(
      sql`update threads set sla_first_response_due_at = now() - interval '1 second' where id = ${thread.id}`,
    );
    await enqueue(pipeline.boss, "team.sla", {});
    const [delivery] = await waitFor(
      async () => {
        const rows = await pipeline.db
          .select()
          .from(webhookDeliveries)
          .where(eq(webhookDeliveries.webhookId, endpoint.id));
        return rows.length > 0 && rows.every((row) => row.status === "delivered") ? rows : undefined;
      },
      20_000,
      "the breach delivered",
    );
    expect(delivery).toBeDefined();
    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    const payload = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    const parsed = ZWebhookPayload.parse(payload);
    expect(parsed).toMatchObject({
      type: "thread.sla_breached",
      data: {
        thread: { id: thread.id, mode: "human" },
        details: { target: "first_response", teamId: team.id, assigneeId: null },
      },
    });
  }, 60_000);
});
