import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { campaignRecipients, campaigns, contacts, messages } from "~/db/schema";
import {
  campaignProgress,
  cancelCampaign,
  pauseCampaign,
  resumeCampaign,
  saveCampaign,
  sendingNumbers,
  startCampaign,
  tickCampaign,
} from "~/server/campaigns/campaigns";
import { countSegment, saveSegment, type TSegmentFilter } from "~/server/campaigns/segments";
import { getInboxThread } from "~/server/inbox/thread";
import { dashboardMediaLinks } from "~/server/media/links";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { insertUser } from "../support/database";
import { repliesTo, startPipeline, usePreparedDatabase, waitForReplies } from "../support/pipeline";
import { runCampaignLoop } from "../support/campaigns";

/** A prepared database with a started (non-working) pg-boss: ticks are run by hand. */
async function setUp() {
  const database = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ graceful: false }));
  const admin = await insertUser(database.db, "admin");
  return { ...database, boss, actor: { id: admin.id, email: admin.email } };
}

let phones = 0;
/** A contact who wrote to us first ("hi"), with these tags and fields. */
async function writer(
  db: TDb,
  boss: PgBoss,
  sessionId: string,
  data: { name?: string; tags?: string[]; fields?: Record<string, string | number> } = {},
) {
  phones += 1;
  const result = await ingestInbound(db, boss, {
    sessionId,
    waMessageId: `in-${randomUUID()}`,
    from: `+1555029${String(phones).padStart(5, "0")}`,
    pushName: data.name ?? "Ana Lima",
    type: "text",
    body: "hi",
  });
  if (result.status !== "stored") throw new Error(JSON.stringify(result));
  await db
    .update(contacts)
    .set({ tags: data.tags ?? [], fields: data.fields ?? {}, name: data.name ?? "Ana Lima" })
    .where(eq(contacts.id, result.contactId));
  return result.contactId;
}

/** A contact who never wrote (imported). */
async function cold(db: TDb, sessionId: string, tags: string[]) {
  phones += 1;
  const [row] = await db
    .insert(contacts)
    .values({ sessionId, waId: `+1555027${String(phones).padStart(5, "0")}`, name: "Cold Contact", tags })
    .returning();
  return row!.id;
}

async function campaignFor(
  database: Awaited<ReturnType<typeof setUp>>,
  filter: TSegmentFilter,
  overrides: Partial<Parameters<typeof saveCampaign>[3]> = {},
) {
  const segment = await saveSegment(database.db, database.actor, null, { name: `Segment ${randomUUID()}`, filter });
  return saveCampaign(database.db, database.actor, null, {
    name: "Spring offer",
    segmentId: segment.id,
    content: { kind: "text", body: "Hi {{contact.firstName | there}}, 20% off this week ({{field.city}})." },
    sessionIds: [database.sessionId],
    ratePerMinute: 600,
    ...overrides,
  });
}

const tokenOf = async (db: TDb, id: string) =>
  (await db.select({ token: campaigns.tickToken }).from(campaigns).where(eq(campaigns.id, id)))[0]!.token!;

const outbound = (db: TDb, contactId: string) =>
  db.execute<{ body: string; source: string }>(sql`
    select m.body, m.source from ${messages} m join threads t on t.id = m.thread_id
    where t.contact_id = ${contactId} and m.direction = 'out' order by m.seq`);

describe("segments", () => {
  it("count who matches now, and how many of them a campaign could reach", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    const vip = await writer(db, boss, sessionId, { tags: ["vip"], fields: { city: "Lisbon", orders: 12 } });
    await writer(db, boss, sessionId, { tags: ["vip", "late"], fields: { city: "Porto", orders: 2 } });
    await writer(db, boss, sessionId, { tags: ["new"] });
    const coldOne = await cold(db, sessionId, ["vip"]);
    await db.update(contacts).set({ optedOut: true }).where(eq(contacts.id, vip));
    expect(await countSegment(db, { tags: { any: ["vip"], all: [], none: [] } })).toEqual({
      matching: 3,
      reachable: 2,
    });
    expect(await countSegment(db, { tags: { any: ["vip"], all: [], none: ["late"] } })).toEqual({
      matching: 2,
      reachable: 1,
    });
    expect(await countSegment(db, { fields: [{ key: "orders", op: "gt", value: 5 }] })).toEqual({
      matching: 1,
      reachable: 0,
    });
    expect(await countSegment(db, { fields: [{ key: "city", op: "eq", value: "porto" }] })).toMatchObject({
      matching: 1,
    });
    expect(await countSegment(db, { wroteFirst: false, tags: { any: ["vip"], all: [], none: [] } })).toEqual({
      matching: 1,
      reachable: 1,
    });
    await db.update(contacts).set({ optedInAt: new Date(), optInSource: "import" }).where(eq(contacts.id, coldOne));
    expect(await countSegment(db, { optedIn: true })).toEqual({ matching: 1, reachable: 1 });
    // Bad filters are refused, not read as "everyone".
    await expect(countSegment(db, { fields: [{ key: "orders", op: "gt", value: "many" }] })).rejects.toThrow();
    await expect(countSegment(db, { tags: { any: ["a,b"] } })).rejects.toThrow();
  });
});

describe("campaigns: the numbers to send from", () => {
  it("each with the rate its pacing allows, or none when it is not paced (the form's hint)", async () => {
    const { db, sessionId } = await setUp();
    const rateOf = async () => (await sendingNumbers(db)).find((number) => number.id === sessionId)!.pacedPerMinute;
    expect(await rateOf()).toBe(20);
    await updateSessionSettings(db, null, sessionId, { pacing: { messagesPerMinute: 45 } });
    expect(await rateOf()).toBe(45);
    await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false } });
    expect(await rateOf()).toBeNull();
  });
});

describe("campaigns: exactly once per recipient", () => {
  it("materialises the reachable contacts once at the start and sends each one message, personalised", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    const ana = await writer(db, boss, sessionId, { name: "Ana Lima", tags: ["vip"], fields: { city: "Lisbon" } });
    const bruno = await writer(db, boss, sessionId, { name: "Bruno", tags: ["vip"], fields: { city: "Porto" } });
    const optedOut = await writer(db, boss, sessionId, { tags: ["vip"] });
    await db.update(contacts).set({ optedOut: true }).where(eq(contacts.id, optedOut));
    const coldOne = await cold(db, sessionId, ["vip"]);
    await writer(db, boss, sessionId, { tags: ["other"] });
    const campaign = await campaignFor(database, { tags: { any: ["vip"], all: [], none: [] } });
    await startCampaign(db, boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);

    const [done] = await db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(done).toMatchObject({ status: "done", recipientCount: 2, doneCount: 2, tickToken: null });
    expect((await outbound(db, ana)).rows).toEqual([
      { body: "Hi Ana, 20% off this week (Lisbon).", source: "campaign" },
    ]);
    expect((await outbound(db, bruno)).rows).toEqual([
      { body: "Hi Bruno, 20% off this week (Porto).", source: "campaign" },
    ]);
    // Opted out: never materialised. Never wrote: only when chosen.
    for (const contactId of [optedOut, coldOne]) expect((await outbound(db, contactId)).rows).toEqual([]);
    // Contacts added to the segment after the start are not part of this campaign.
    await writer(db, boss, sessionId, { tags: ["vip"] });
    await runCampaignLoop(database, campaign.id);
    expect(await campaignProgress(db, campaign.id)).toMatchObject({ recipients: 2, pending: 0, queued: 2 });
  });

  it("reaches contacts who never wrote only when chosen, starting their conversation", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    const coldOne = await cold(db, sessionId, ["imported"]);
    const campaign = await campaignFor(
      database,
      { tags: { any: ["imported"], all: [], none: [] } },
      { includeColdContacts: true, content: { kind: "text", body: "Hello {{contact.firstName}}" } },
    );
    await startCampaign(db, boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);
    expect((await outbound(db, coldOne)).rows).toEqual([{ body: "Hello Cold", source: "campaign" }]);
  });

  it("a retried tick (its token spent) and a left-over loop after pause and resume do nothing", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    for (let index = 0; index < 5; index++) await writer(db, boss, sessionId, { tags: ["vip"] });
    const campaign = await campaignFor(database, { tags: { any: ["vip"], all: [], none: [] } }, { ratePerMinute: 60 });
    await startCampaign(db, boss, database.actor, campaign.id);
    const first = await tokenOf(db, campaign.id);
    const t0 = new Date();
    // The first tick starts it: one message now (the rate: 60 a minute, anchored at the start).
    expect(await tickCampaign(db, boss, { campaignId: campaign.id, token: first }, {}, t0)).toMatchObject({
      action: "sent",
      queued: 1,
    });
    // pg-boss retries the same job (the worker died after the commit): its token is spent.
    expect(await tickCampaign(db, boss, { campaignId: campaign.id, token: first }, {}, t0)).toEqual({
      action: "stale",
    });
    const second = await tokenOf(db, campaign.id);
    await pauseCampaign(db, database.actor, campaign.id);
    expect(await tickCampaign(db, boss, { campaignId: campaign.id, token: second }, {}, t0)).toEqual({
      action: "stale",
    });
    await resumeCampaign(db, boss, database.actor, campaign.id);
    // The loop from before the pause is still queued: it does nothing.
    expect(await tickCampaign(db, boss, { campaignId: campaign.id, token: second }, {}, t0)).toEqual({
      action: "stale",
    });
    await runCampaignLoop(database, campaign.id);
    const recipients = await db.select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, campaign.id));
    expect(recipients).toHaveLength(5);
    expect(recipients.every((recipient) => recipient.state === "queued" && recipient.messageId)).toBe(true);
    const [{ n }] = (
      await db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${messages} where source = 'campaign' and session_id = ${sessionId}`,
      )
    ).rows as [{ n: number }];
    expect(n).toBe(5);
  });

  it("a crash before the tick commits leaves nothing behind; the retry sends each recipient once", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    for (let index = 0; index < 3; index++) await writer(db, boss, sessionId, { tags: ["vip"] });
    const campaign = await campaignFor(database, { tags: { any: ["vip"], all: [], none: [] } });
    await startCampaign(db, boss, database.actor, campaign.id);
    const token = await tokenOf(db, campaign.id);
    const later = new Date(Date.now() + 3_600_000);
    await expect(
      tickCampaign(
        db,
        boss,
        { campaignId: campaign.id, token },
        { beforeCommit: () => Promise.reject(new Error("SIGKILL")) },
        later,
      ),
    ).rejects.toThrow("SIGKILL");
    expect(await campaignProgress(db, campaign.id)).toMatchObject({ recipients: 0, queued: 0 });
    // pg-boss retries the job: same token, and now it commits.
    expect(await tickCampaign(db, boss, { campaignId: campaign.id, token }, {}, later)).toMatchObject({
      action: "sent",
      queued: 1,
      done: false,
    });
    await runCampaignLoop(database, campaign.id, later);
    expect(await campaignProgress(db, campaign.id)).toMatchObject({ recipients: 3, queued: 3, pending: 0 });
  });

  it("sends no faster than its rate, counted from the start", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    for (let index = 0; index < 30; index++) await writer(db, boss, sessionId, { tags: ["vip"] });
    const campaign = await campaignFor(database, { tags: { any: ["vip"], all: [], none: [] } }, { ratePerMinute: 60 });
    await startCampaign(db, boss, database.actor, campaign.id);
    const t0 = new Date();
    await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t0);
    // 10 s later at 60 a minute: 10 more (11 in all), however many ticks it takes.
    const t10 = new Date(t0.getTime() + 10_000);
    await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t10);
    await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t10);
    expect((await db.select().from(campaigns).where(eq(campaigns.id, campaign.id)))[0]!.doneCount).toBe(11);
  });

  it("sends nothing in quiet hours, and starts again at their end without a burst", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    for (let index = 0; index < 3; index++) await writer(db, boss, sessionId, { tags: ["vip"] });
    const campaign = await campaignFor(
      database,
      { tags: { any: ["vip"], all: [], none: [] } },
      { ratePerMinute: 1, quietHours: { start: "22:00", end: "06:00" } },
    );
    await startCampaign(db, boss, database.actor, campaign.id);
    // 23:00 UTC (the org's time zone is UTC): asleep until 06:00.
    const night = new Date("2026-12-07T23:00:00Z");
    const morning = new Date("2026-12-08T06:00:00Z");
    expect(
      await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, night),
    ).toEqual({ action: "waiting", until: morning, reason: "quiet_hours" });
    expect(await campaignProgress(db, campaign.id)).toMatchObject({ recipients: 3, pending: 3 });
    // The page says why it waits, and until when.
    expect((await db.select().from(campaigns).where(eq(campaigns.id, campaign.id)))[0]).toMatchObject({
      waitReason: "quiet_hours",
      waitUntil: morning,
    });
    // At 06:00: one (the rate, from the end of the quiet hours), not the seven hours' worth.
    expect(
      await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, morning),
    ).toMatchObject({ action: "sent", queued: 1 });
  });

  it("skips a recipient who opted out or was blocked after the start, and cancel ends it", async () => {
    const database = await setUp();
    const { db, boss, sessionId } = database;
    const stays = await writer(db, boss, sessionId, { tags: ["vip"] });
    const leaves = await writer(db, boss, sessionId, { tags: ["vip"] });
    const blocked = await writer(db, boss, sessionId, { tags: ["vip"] });
    const campaign = await campaignFor(database, { tags: { any: ["vip"], all: [], none: [] } }, { ratePerMinute: 1 });
    await startCampaign(db, boss, database.actor, campaign.id);
    // The first tick materialises all three and sends to the first of them (rate 1 a minute).
    const t0 = new Date();
    await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t0);
    const first = await db
      .select({ contactId: campaignRecipients.contactId })
      .from(campaignRecipients)
      .where(and(eq(campaignRecipients.campaignId, campaign.id), eq(campaignRecipients.state, "queued")));
    expect(first).toHaveLength(1);
    const others = [stays, leaves, blocked].filter((id) => id !== first[0]!.contactId);
    await db.update(contacts).set({ optedOut: true, optedOutAt: new Date() }).where(eq(contacts.id, others[0]!));
    await db.update(contacts).set({ blocked: true }).where(eq(contacts.id, others[1]!));
    await runCampaignLoop(database, campaign.id, new Date(t0.getTime() + 600_000));
    const states = await db
      .select({
        contactId: campaignRecipients.contactId,
        state: campaignRecipients.state,
        reason: campaignRecipients.reason,
      })
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, campaign.id));
    expect(states).toEqual(
      expect.arrayContaining([
        { contactId: others[0], state: "skipped", reason: "opted_out" },
        { contactId: others[1], state: "skipped", reason: "blocked" },
      ]),
    );
    await expect(cancelCampaign(db, database.actor, campaign.id)).rejects.toThrow("ended");
  });
});

describe("campaigns in the pipeline (tick jobs → send queue → simulator)", () => {
  it("sends to a segment at its rate through the real worker, and the progress counts what was sent", async () => {
    const pipeline = await startPipeline();
    const admin = await insertUser(pipeline.db, "admin");
    const actor = { id: admin.id, email: admin.email };
    const ids: string[] = [];
    const waIds: string[] = [];
    for (let index = 0; index < 12; index++) {
      const waId = `+15550028${String(index).padStart(3, "0")}`;
      const result = await ingestInbound(pipeline.db, pipeline.boss, {
        sessionId: pipeline.sessionId,
        waMessageId: `in-${randomUUID()}`,
        from: waId,
        pushName: `Guest ${index}`,
        type: "text",
        body: "hello",
      });
      if (result.status !== "stored") throw new Error(JSON.stringify(result));
      ids.push(result.contactId);
      waIds.push(waId);
    }
    // The bot's default reply answered each "hello" first.
    for (const waId of waIds) await waitForReplies(pipeline.db, waId, 1);
    await pipeline.db
      .update(contacts)
      .set({ tags: ["guest"] })
      .where(sql`${contacts.id} = any(${`{${ids.join(",")}}`}::uuid[])`);
    const segment = await saveSegment(pipeline.db, actor, null, {
      name: "Guests",
      filter: { tags: { any: ["guest"], all: [], none: [] } },
    });
    const campaign = await saveCampaign(pipeline.db, actor, null, {
      name: "Welcome",
      segmentId: segment.id,
      content: { kind: "text", body: "Welcome, {{contact.firstName}}!" },
      sessionIds: [pipeline.sessionId],
      ratePerMinute: 240,
    });
    const started = Date.now();
    await startCampaign(pipeline.db, pipeline.boss, actor, campaign.id);
    for (const waId of waIds) await waitForReplies(pipeline.db, waId, 2, "sent", 30_000);
    const elapsed = Date.now() - started;
    // 12 at 240 a minute: the first at once, then one every 250 ms: at least 2.75 s.
    expect(elapsed).toBeGreaterThanOrEqual(2_600);
    for (const waId of waIds) {
      const replies = await repliesTo(pipeline.db, waId);
      expect(replies.map((reply) => reply.body)).toEqual([expect.any(String), "Welcome, Guest!"]);
    }
    expect(await campaignProgress(pipeline.db, campaign.id)).toMatchObject({ recipients: 12, sent: 12, pending: 0 });
    // In the Inbox, the message names its campaign.
    const [conversation] = (
      await pipeline.db.execute<{ id: string }>(sql`select id from threads where contact_id = ${ids[0]}`)
    ).rows;
    const thread = await getInboxThread(
      pipeline.db,
      { threadId: conversation!.id },
      { media: dashboardMediaLinks("m".repeat(32)) },
    );
    expect(thread.messages.filter((message) => message.source === "campaign")).toEqual([
      expect.objectContaining({ campaignName: "Welcome", body: "Welcome, Guest!" }),
    ]);
    const [done] = await pipeline.db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(done!.status).toBe("done");
  });
});
