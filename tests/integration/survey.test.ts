import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  analyticsResponses,
  contacts,
  events,
  messages,
  satisfactionSurveys,
  teams,
  threads,
  waSessions,
} from "~/db/schema";
import { sealCloudSecrets } from "~/server/cloud/config";
import { ingestInbound } from "~/server/messaging/ingest";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { updateOrgSettings } from "~/server/settings/settings";
import { sendAsContact } from "~/server/simulator/simulator";
import { WEBHOOK_DETAILS, webhookDetails } from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { createFakeGraph, FAKE_GRAPH_DEFAULTS, type TFakeGraph } from "../support/fake-graph-server";
import { inbound, publishRules, startPipeline, waitForProcessed, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const THANKS = "Thank you for your rating! If you'd like to tell us more, just write it here.";
const BOT = "Bot: how can I help?";

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

async function outboundOf(pipeline: TPipeline, waId: string) {
  return pipeline.db
    .select({ body: messages.body, content: messages.content, source: messages.source })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.waId, waId), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq));
}

/** Waits until `count` inbound messages of the contact are decided. */
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

async function surveysOf(pipeline: TPipeline, threadId: string) {
  return pipeline.db
    .select()
    .from(satisfactionSurveys)
    .where(eq(satisfactionSurveys.threadId, threadId))
    .orderBy(asc(satisfactionSurveys.sentAt));
}

/**
 * A team with the survey on (or off), an agent in it, a rule handing "human" to the team and a
 * default reply for everything else (what "goes to the bot as usual" looks like).
 */
async function setUp(options: { survey?: boolean } = {}) {
  const pipeline = await startPipeline();
  const admin = await insertUser(pipeline.db, "admin");
  const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
  const adminCaller = callerOf(pipeline, admin);
  const team = await adminCaller.teams.create({ name: "Support", assignmentMode: "off", maxOpenPerAgent: 5 });
  await adminCaller.teams.addMember({ teamId: team.id, userId: ana.id });
  await pipeline.db
    .update(teams)
    // No hand-off acknowledgement (server/teams/reception.ts): the contact's phone holds only what the survey sends.
    .set({ surveyEnabled: options.survey ?? true, acknowledge: false })
    .where(eq(teams.id, team.id));
  await updateOrgSettings(pipeline.db, null, { defaultReply: { mode: "text", text: BOT } });
  await publishRules(pipeline.db, [
    {
      name: "Wants a person",
      conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
      actions: [{ type: "handoff", teamId: team.id }],
    },
  ]);
  return { pipeline, admin, ana, team, agent: callerOf(pipeline, ana), adminCaller };
}

/** The contact asks for a person, Ana takes the conversation and closes it. */
async function handOffAndClose(setup: Awaited<ReturnType<typeof setUp>>, waId: string) {
  const { pipeline, agent } = setup;
  await inbound(pipeline, waId, "I want a human please");
  const thread = await waitFor(
    async () => {
      const found = await threadOf(pipeline, waId);
      return found?.mode === "human" ? found : undefined;
    },
    10_000,
    "the hand-off",
  );
  await agent.inbox.takeOver({ threadId: thread.id });
  await agent.inbox.close({ threadId: thread.id });
  return thread;
}

describe("the satisfaction survey", () => {
  it("[acceptance 3] a closed conversation sends the survey; the score and comment are kept, thanked, on the conversation and in its webhook", async () => {
    const setup = await setUp();
    const { pipeline, agent, ana, team } = setup;
    const waId = "+14155550201";
    const thread = await handOffAndClose(setup, waId);

    // The survey: a list of five scores (shown as a numbered menu where the engine has no buttons).
    const [survey] = await surveysOf(pipeline, thread.id);
    expect(survey).toMatchObject({ teamId: team.id, agentUserId: ana.id, answeredAt: null, score: null });
    expect(survey!.expiresAt.getTime() - survey!.sentAt.getTime()).toBe(24 * 3_600_000);
    const [asked] = await outboundOf(pipeline, waId);
    expect(asked?.content).toMatchObject({
      kind: "interactive",
      style: "list",
      button: "Rate",
      options: [
        { id: "survey:1", title: "Very poor" },
        { id: "survey:2", title: "Poor" },
        { id: "survey:3", title: "Okay" },
        { id: "survey:4", title: "Good" },
        { id: "survey:5", title: "Excellent" },
      ],
    });
    expect(asked?.body).toContain("1. Very poor");

    // The answer "4": kept, thanked, not seen by the rules (no default reply), conversation stays closed.
    await inbound(pipeline, waId, "4");
    await waitForDecided(pipeline, waId, 2);
    expect((await outboundOf(pipeline, waId)).map((message) => message.body).slice(1)).toEqual([THANKS]);
    expect((await surveysOf(pipeline, thread.id))[0]).toMatchObject({ score: 4, comment: null });
    expect((await surveysOf(pipeline, thread.id))[0]!.answeredAt).not.toBeNull();
    expect(await threadOf(pipeline, waId)).toMatchObject({ mode: "closed", awaitingSince: null });
    expect((await threadOf(pipeline, waId))!.closedAt).not.toBeNull();
    // Switchboard's own messages (source system): the thanks is not the bot's answer in the figures.
    expect((await outboundOf(pipeline, waId)).map((message) => message.source)).toEqual(["system", "system"]);
    const botResponses = await pipeline.db
      .select()
      .from(analyticsResponses)
      .where(and(eq(analyticsResponses.threadId, thread.id), eq(analyticsResponses.responder, "bot")));
    expect(botResponses).toEqual([]);

    // The next message is the comment.
    await inbound(pipeline, waId, "Quick and kind, thank you");
    await waitForDecided(pipeline, waId, 3);
    expect((await outboundOf(pipeline, waId)).map((message) => message.body).slice(2)).toEqual([
      "Thank you, we have passed your comment on to the team.",
    ]);
    expect((await surveysOf(pipeline, thread.id))[0]).toMatchObject({ score: 4, comment: "Quick and kind, thank you" });
    expect((await threadOf(pipeline, waId))!.mode).toBe("closed");

    // On the conversation.
    const detail = await agent.inbox.thread({ threadId: thread.id });
    expect(detail.satisfaction).toMatchObject({
      score: 4,
      comment: "Quick and kind, thank you",
      agentName: "Ana",
      teamName: "Support",
    });
    // Its messages are marked as the survey's (the Inbox names them), the contact's are not.
    expect(detail.messages.map((message) => [message.direction, message.survey])).toEqual([
      ["in", false],
      ["out", true],
      ["in", false],
      ["out", true],
      ["in", false],
      ["out", true],
    ]);

    // The events, and the webhook's details (the documented shape, every key filled).
    const answered = await pipeline.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.threadId, thread.id), eq(events.type, "thread.survey_answered")))
      .orderBy(asc(events.at));
    const details = answered.map((row) => webhookDetails("thread.survey_answered", row.payload));
    expect(details).toEqual([
      { score: 4, comment: null, teamId: team.id, agentId: ana.id },
      { score: 4, comment: "Quick and kind, thank you", teamId: team.id, agentId: ana.id },
    ]);
    for (const detail of details) WEBHOOK_DETAILS["thread.survey_answered"].parse(detail);

    // After the comment, the bot answers as usual again.
    await inbound(pipeline, waId, "Where is my order?");
    await waitForDecided(pipeline, waId, 4);
    expect((await outboundOf(pipeline, waId)).at(-1)?.body).toBe(BOT);
  });

  it("takes a tapped list row, and a score with its comment in one message", async () => {
    const setup = await setUp();
    const { pipeline } = setup;
    const tapped = "+14155550202";
    const thread = await handOffAndClose(setup, tapped);
    await sendAsContact(pipeline.db, pipeline.boss, {
      phone: tapped,
      content: { kind: "list_reply", id: "survey:5", title: "Excellent" },
    });
    await waitForDecided(pipeline, tapped, 2);
    expect((await surveysOf(pipeline, thread.id))[0]).toMatchObject({ score: 5, comment: null });
    expect((await outboundOf(pipeline, tapped)).at(-1)?.body).toBe(THANKS);

    const inline = "+14155550203";
    const other = await handOffAndClose(setup, inline);
    await inbound(pipeline, inline, "2 - it took too long");
    await waitForDecided(pipeline, inline, 2);
    expect((await surveysOf(pipeline, other.id))[0]).toMatchObject({ score: 2, comment: "it took too long" });
    expect((await outboundOf(pipeline, inline)).at(-1)?.body).toBe("Thank you for your rating and your comment!");
    // Complete: the next message goes to the bot.
    await inbound(pipeline, inline, "one more thing");
    await waitForDecided(pipeline, inline, 3);
    expect((await outboundOf(pipeline, inline)).at(-1)?.body).toBe(BOT);
  });

  it("a message that is not an answer goes to the bot as usual and ends the survey", async () => {
    const setup = await setUp();
    const { pipeline } = setup;
    const waId = "+14155550204";
    const thread = await handOffAndClose(setup, waId);
    await inbound(pipeline, waId, "I have another question");
    await waitForDecided(pipeline, waId, 2);
    expect((await outboundOf(pipeline, waId)).at(-1)?.body).toBe(BOT);
    expect((await threadOf(pipeline, waId))!.mode).toBe("bot");
    // A "5" after that is an answer to whatever the bot asked, not to the survey.
    await inbound(pipeline, waId, "5");
    await waitForDecided(pipeline, waId, 3);
    expect((await outboundOf(pipeline, waId)).at(-1)?.body).toBe(BOT);
    const [survey] = await surveysOf(pipeline, thread.id);
    expect(survey).toMatchObject({ answeredAt: null, score: null });
  });

  it("an answer after the survey expired is not taken", async () => {
    const setup = await setUp();
    const { pipeline } = setup;
    const waId = "+14155550205";
    const thread = await handOffAndClose(setup, waId);
    await pipeline.db
      .update(satisfactionSurveys)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(satisfactionSurveys.threadId, thread.id));
    await inbound(pipeline, waId, "5");
    await waitForDecided(pipeline, waId, 2);
    expect((await outboundOf(pipeline, waId)).at(-1)?.body).toBe(BOT);
    expect((await surveysOf(pipeline, thread.id))[0]).toMatchObject({ answeredAt: null, score: null });
    expect((await setup.agent.inbox.thread({ threadId: thread.id })).satisfaction).toMatchObject({
      answeredAt: null,
      score: null,
    });
  });

  it("sends no survey for a team without it, nor for a conversation the bot had", async () => {
    const setup = await setUp({ survey: false });
    const { pipeline, agent } = setup;
    const waId = "+14155550206";
    const thread = await handOffAndClose(setup, waId);
    expect(await surveysOf(pipeline, thread.id)).toEqual([]);
    expect(await outboundOf(pipeline, waId)).toEqual([]);
    expect((await agent.inbox.thread({ threadId: thread.id })).satisfaction).toBeNull();

    // The survey on, but the conversation was the bot's (never handed off) when closed.
    await pipeline.db.update(teams).set({ surveyEnabled: true }).where(eq(teams.id, setup.team.id));
    const botOnly = "+14155550207";
    await inbound(pipeline, botOnly, "hello");
    await waitForDecided(pipeline, botOnly, 1);
    const botThread = (await threadOf(pipeline, botOnly))!;
    await pipeline.db.update(threads).set({ teamId: setup.team.id }).where(eq(threads.id, botThread.id));
    await setup.adminCaller.inbox.close({ threadId: botThread.id });
    expect(await surveysOf(pipeline, botThread.id)).toEqual([]);

    // Nor to a contact who opted out or is blocked (a survey is something we start).
    for (const [waId, change] of [
      ["+14155550208", { optedOut: true }],
      ["+14155550209", { blocked: true }],
    ] as const) {
      await inbound(pipeline, waId, "I want a human please");
      const thread = await waitFor(
        async () => {
          const found = await threadOf(pipeline, waId);
          return found?.mode === "human" ? found : undefined;
        },
        10_000,
        "the hand-off",
      );
      await agent.inbox.takeOver({ threadId: thread.id });
      await pipeline.db.update(contacts).set(change).where(eq(contacts.waId, waId));
      await agent.inbox.close({ threadId: thread.id });
      expect(await surveysOf(pipeline, thread.id), waId).toEqual([]);
    }
  });

  it("a second close while a survey is open ends the first: only the latest is answered", async () => {
    const setup = await setUp();
    const { pipeline, agent } = setup;
    const waId = "+14155550210";
    const thread = await handOffAndClose(setup, waId);
    await agent.inbox.reopen({ threadId: thread.id });
    await agent.inbox.takeOver({ threadId: thread.id });
    await agent.inbox.close({ threadId: thread.id });
    await inbound(pipeline, waId, "3");
    await waitForDecided(pipeline, waId, 2);
    const [first, second] = await surveysOf(pipeline, thread.id);
    expect(first).toMatchObject({ score: null, answeredAt: null });
    expect(first!.expiresAt.getTime()).toBeLessThanOrEqual(second!.sentAt.getTime());
    expect(second).toMatchObject({ score: 3 });
  });
});

describe("the satisfaction survey on the Cloud API engine (buttons)", () => {
  const APP_SECRET = "survey-test-app-secret-0123456789abcdef";
  let graph: TFakeGraph;
  beforeAll(async () => {
    graph = await createFakeGraph();
  });
  afterAll(async () => {
    await graph.close();
  });

  it("asks with a list message of five rows, takes the tapped row as the score, and sends none outside the 24-hour window", async () => {
    const pipeline = await startPipeline({
      engines: { cloud: { appSecret: APP_SECRET, baseUrl: graph.url, minBackoffMs: 200, maxBackoffMs: 1_000 } },
    });
    const [row] = await pipeline.db
      .insert(waSessions)
      .values({
        name: "Bakery (Cloud API)",
        kind: "cloud",
        engineConfig: {
          phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
          businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
        },
        engineSecrets: sealCloudSecrets(
          {
            accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
            appSecret: "0123456789abcdef0123456789abcdef",
            verifyToken: "verify-me-please",
          },
          APP_SECRET,
        ),
      })
      .returning({ id: waSessions.id });
    const cloudId = row!.id;
    await waitFor(
      async () =>
        (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, cloudId)))[0]?.status === "ready",
      20_000,
      "the Cloud API number to be ready",
    );
    const write = async (content: { kind: "text"; text: string } | { kind: "list_reply"; id: string; title: string }) =>
      waitForProcessed(
        pipeline.db,
        await ingestInbound(pipeline.db, pipeline.boss, {
          sessionId: cloudId,
          waMessageId: `wamid.IN-${Math.random()}`,
          from: "+15550002001",
          type: content.kind,
          body: content.kind === "text" ? content.text : content.title,
          content,
        }),
      );
    const first = await write({ kind: "text", text: "hello" });
    const threadId = first.threadId;
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({ name: "Cakes", surveyEnabled: true });
    await admin.inbox.takeOver({ threadId });
    await pipeline.db.update(threads).set({ teamId: team.id }).where(eq(threads.id, threadId));
    await admin.inbox.close({ threadId });

    const [asked] = await pipeline.db
      .select()
      .from(messages)
      .where(and(eq(messages.threadId, threadId), eq(messages.direction, "out"), eq(messages.type, "interactive")));
    expect(asked).toBeDefined();
    const request = await waitFor(
      () =>
        Promise.resolve(
          graph.requests.find(
            (seen) =>
              (seen.body as { biz_opaque_callback_data?: string } | null)?.biz_opaque_callback_data === asked!.id,
          ),
        ),
      20_000,
      "the survey sent to Meta",
    );
    const interactive = (request.body as { interactive: { type: string; action: { sections: { rows: unknown[] }[] } } })
      .interactive;
    expect(interactive.type).toBe("list");
    expect(interactive.action.sections.flatMap((section) => section.rows)).toEqual([
      { id: "survey:1", title: "Very poor", description: "⭐" },
      { id: "survey:2", title: "Poor", description: "⭐⭐" },
      { id: "survey:3", title: "Okay", description: "⭐⭐⭐" },
      { id: "survey:4", title: "Good", description: "⭐⭐⭐⭐" },
      { id: "survey:5", title: "Excellent", description: "⭐⭐⭐⭐⭐" },
    ]);

    await write({ kind: "list_reply", id: "survey:4", title: "Good" });
    const [survey] = await pipeline.db
      .select()
      .from(satisfactionSurveys)
      .where(eq(satisfactionSurveys.threadId, threadId));
    expect(survey).toMatchObject({ score: 4, teamId: team.id });

    // Outside the 24-hour window (the contact last wrote two days ago) no survey can go: none is sent.
    await pipeline.db
      .update(messages)
      .set({ createdAt: sql`now() - interval '2 days'` })
      .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")));
    await admin.inbox.reopen({ threadId });
    await admin.inbox.takeOver({ threadId });
    await admin.inbox.close({ threadId });
    expect(
      await pipeline.db.select().from(satisfactionSurveys).where(eq(satisfactionSurveys.threadId, threadId)),
    ).toHaveLength(1);
  });
});
