import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, events, messages, teams, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { WEEKDAYS, type TBusinessHours } from "~/server/settings/schema";
import { acknowledgeHandoff } from "~/server/teams/reception";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { inbound, repliesTo, startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function callerOf(pipeline: Pick<TPipeline, "db" | "boss">, user: TSessionUser) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss }));
}

const ALWAYS_OPEN = Object.fromEntries(
  WEEKDAYS.map((day) => [day, [{ start: "00:00", end: "23:59" }]]),
) as TBusinessHours;

async function threadOf(db: TDb, waId: string) {
  const [row] = await db
    .select({ thread: threads })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row?.thread;
}

/** `team.acknowledge` jobs not finished yet. */
async function pendingAcknowledgements(db: TDb): Promise<number> {
  const result = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = 'team.acknowledge' and state in ('created', 'retry', 'active')`,
  );
  return result.rows[0]!.n;
}

/** A team and a published rule handing "human" over to it (no reply of its own: what the contact hears is the team's). */
async function teamWithRule(pipeline: TPipeline, team: Parameters<ReturnType<typeof callerOf>["teams"]["create"]>[0]) {
  const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
  const created = await admin.teams.create(team);
  await admin.rules.create({
    name: "Wants a person",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
    actions: [{ type: "handoff", teamId: created.id }],
  });
  await admin.rules.publish({});
  return { admin, team: created };
}

/** The contact asks for a person; resolves with what they were told (the one outbound message). */
async function handOffAndHear(pipeline: TPipeline, waId: string): Promise<string> {
  await inbound(pipeline, waId, "a human please");
  const [ack] = await waitForReplies(pipeline.db, waId, 1);
  return ack!.body;
}

/** The local weekday of tomorrow in `timeZone`. */
function tomorrowIn(timeZone: string): (typeof WEEKDAYS)[number] {
  const weekday = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short" })
    .format(new Date(Date.now() + 86_400_000))
    .slice(0, 3)
    .toLowerCase();
  return weekday as (typeof WEEKDAYS)[number];
}

describe("what the contact hears on a hand-off to a team", () => {
  it("[acceptance 2] inside business hours: the acknowledgement states the expected wait from recent response times (none without history)", async () => {
    const pipeline = await startPipeline();
    const { admin, team } = await teamWithRule(pipeline, { name: "Support", businessHours: ALWAYS_OPEN });
    const agent = await insertUser(pipeline.db, "agent");
    await admin.teams.addMember({ teamId: team.id, userId: agent.id });

    // No history yet: a text without a number.
    expect(await handOffAndHear(pipeline, "+14155551001")).toBe(
      "Thanks for your message! Someone from our team will reply as soon as possible.",
    );
    // The acknowledgement is a notice in the thread, not an answer: the contact still waits for a person.
    const first = (await threadOf(pipeline.db, "+14155551001"))!;
    expect(first.awaitingSince).not.toBeNull();
    const [ackRow] = await pipeline.db
      .select({ source: messages.source, ruleId: messages.ruleId })
      .from(messages)
      .where(and(eq(messages.threadId, first.id), eq(messages.direction, "out")));
    expect(ackRow).toEqual({ source: "system", ruleId: null });

    // Three conversations answered by a person, each about 20 minutes after its hand-off.
    const agentCaller = callerOf(pipeline, agent);
    for (const waId of ["+14155551001", "+14155551002", "+14155551003"]) {
      if (waId !== "+14155551001") await handOffAndHear(pipeline, waId);
      const thread = (await threadOf(pipeline.db, waId))!;
      await agentCaller.inbox.takeOver({ threadId: thread.id });
      await agentCaller.inbox.reply({ threadId: thread.id, body: "Hi, Ana here." });
    }
    const answered = await pipeline.db.execute(sql`
      update threads set handoff_at = first_human_reply_at - interval '20 minutes'
      where team_id = ${team.id} and first_human_reply_at is not null`);
    expect(answered.rowCount).toBe(3);

    expect(await handOffAndHear(pipeline, "+14155551004")).toBe(
      "Thanks for your message! Someone from our team will reply in about 20 minutes.",
    );
    // The team's own text, its {{wait}} filled in.
    await admin.teams.update({ id: team.id, ackMessage: "Hello! Expect an answer in {{wait}} ⏳" });
    expect(await handOffAndHear(pipeline, "+14155551005")).toBe("Hello! Expect an answer in about 20 minutes ⏳");
  }, 60_000);

  it("[acceptance 2] outside business hours: the contact is told when the team is back, in the org's time zone", async () => {
    const pipeline = await startPipeline();
    const timeZone = "Asia/Tokyo";
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    await admin.settings.update({ timeZone });
    // Open only tomorrow (Tokyo's), 09:00 to 17:00: closed now, whatever the time.
    const hours = Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as TBusinessHours;
    hours[tomorrowIn(timeZone)] = [{ start: "09:00", end: "17:00" }];
    const { team } = await teamWithRule(pipeline, { name: "Night desk", businessHours: hours });

    expect(await handOffAndHear(pipeline, "+14155551101")).toBe(
      "Thanks for your message! Our team is away right now and back tomorrow at 9:00 AM GMT+9. We will reply then.",
    );
    await admin.teams.update({ id: team.id, closedMessage: "Closed. Back {{opens}}!" });
    expect(await handOffAndHear(pipeline, "+14155551102")).toBe("Closed. Back tomorrow at 9:00 AM GMT+9!");

    // Without hours of its own the team keeps the org's: open all week here, so the acknowledgement.
    await admin.settings.update({ businessHours: ALWAYS_OPEN });
    await admin.teams.update({ id: team.id, businessHours: null });
    expect(await handOffAndHear(pipeline, "+14155551103")).toBe(
      "Thanks for your message! Someone from our team will reply as soon as possible.",
    );
  }, 60_000);

  it("[flows] a flow's hand-off step to a team is acknowledged the same way, on a message and after a wait moved by its job", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({
      name: "Orders",
      businessHours: ALWAYS_OPEN,
      ackMessage: "Orders: {{wait}}",
    });
    const handoff = { id: "person", type: "handoff" as const, teamId: team.id };
    await publishFlowRows(pipeline.db, {
      name: "To orders",
      triggers: { keywords: ["order"], firstMessage: false },
      definition: { start: "person", steps: [handoff] },
    });
    await publishFlowRows(pipeline.db, {
      name: "To orders after a moment",
      triggers: { keywords: ["later"], firstMessage: false },
      definition: {
        start: "wait",
        steps: [{ id: "wait", type: "wait", mode: "delay", seconds: 1, next: "person" }, handoff],
      },
    });
    await inbound(pipeline, "+14155551201", "order");
    await inbound(pipeline, "+14155551202", "later");
    for (const waId of ["+14155551201", "+14155551202"]) {
      const [ack] = await waitForReplies(pipeline.db, waId, 1, "sent", 15_000);
      expect(ack!.body, waId).toBe("Orders: a little while");
    }
  }, 60_000);

  it("[once] a team that does not acknowledge says nothing; a hand-off is acknowledged at most once, and not after it moved on", async () => {
    const pipeline = await startPipeline();
    const { admin, team } = await teamWithRule(pipeline, { name: "Quiet", acknowledge: false });
    await inbound(pipeline, "+14155551301", "a human please");
    await waitFor(async () => (await threadOf(pipeline.db, "+14155551301"))?.mode === "human", 10_000, "hand-off");
    await waitFor(async () => (await pendingAcknowledgements(pipeline.db)) === 0, 10_000, "no job left");
    expect(await repliesTo(pipeline.db, "+14155551301")).toEqual([]);

    await admin.teams.update({ id: team.id, acknowledge: true, businessHours: ALWAYS_OPEN });
    await handOffAndHear(pipeline, "+14155551302");
    const thread = (await threadOf(pipeline.db, "+14155551302"))!;
    const job = { threadId: thread.id, teamId: team.id, handoffAt: thread.handoffAt!.toISOString() };
    // The job again (a retry after its commit): the message exists, nothing more is sent.
    expect(await acknowledgeHandoff(pipeline.db, pipeline.boss, job)).toEqual({ sent: false, reason: "already_sent" });
    // A hand-off the thread has left (closed since): nothing.
    await admin.inbox.close({ threadId: thread.id });
    expect(
      await acknowledgeHandoff(pipeline.db, pipeline.boss, { ...job, handoffAt: new Date().toISOString() }),
    ).toEqual({ sent: false, reason: "stale" });
    expect(await repliesTo(pipeline.db, "+14155551302")).toHaveLength(1);
    const queued = await pipeline.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.threadId, thread.id), eq(events.type, "message.queued")));
    expect(queued.map((row) => row.payload)).toEqual([
      { by: "team", acknowledgement: { teamId: team.id, open: true } },
    ]);
    const [stored] = await pipeline.db
      .select({ acknowledge: teams.acknowledge })
      .from(teams)
      .where(eq(teams.id, team.id));
    expect(stored?.acknowledge).toBe(true);
  }, 60_000);
});
