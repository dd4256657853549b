import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { auditLog, campaignRecipients, campaigns, contacts, messages, waSessions } from "~/db/schema";
import { resumeCampaign, saveCampaign, startCampaign, tickCampaign } from "~/server/campaigns/campaigns";
import { numbersOutreachNow, orgDay } from "~/server/campaigns/health";
import { saveSegment } from "~/server/campaigns/segments";
import { createBoss, createSendQueue } from "~/server/jobs/boss";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";

/**
 * A prepared database, pg-boss started but no worker (ticks run by hand on a synthetic clock), and
 * the org in a time zone where it is around noon now: the test's days never cross a midnight.
 */
async function setUp(count: number) {
  const database = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ graceful: false }));
  const admin = await insertUser(database.db, "admin");
  const offset = 12 - new Date().getUTCHours();
  const timeZone = offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
  await updateOrgSettings(database.db, null, { timeZone });
  const tag = `t${randomUUID().slice(0, 8)}`;
  await database.db.insert(contacts).values(
    Array.from({ length: count }, (_, index) => ({
      sessionId: database.sessionId,
      waId: `+1415558${String(index).padStart(4, "0")}`,
      name: `Contact ${index}`,
      tags: [tag],
    })),
  );
  const segment = await saveSegment(database.db, null, null, {
    name: `Segment ${tag}`,
    filter: { tags: { any: [tag], all: [], none: [] } },
  });
  const campaign = await saveCampaign(database.db, null, null, {
    name: "Warm-up",
    segmentId: segment.id,
    content: { kind: "text", body: "Our new menu is out." },
    sessionIds: [database.sessionId],
    ratePerMinute: 6_000,
    includeColdContacts: true,
  });
  return { ...database, boss, timeZone, campaign, actor: { id: admin.id, email: admin.email } };
}

const campaignRow = async (db: TDb, id: string) => (await db.select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
const queuedCount = async (db: TDb, id: string) =>
  (
    await db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${campaignRecipients} where campaign_id = ${id} and state = 'queued'`,
    )
  ).rows[0]!.n;

describe("number health: daily caps and warm-up", () => {
  it("a new number sends no more than its warm-up day's cap, sleeps until the org's next day, then takes the next day's", async () => {
    const { db, boss, sessionId, timeZone, campaign } = await setUp(60);
    const now = new Date();
    const today = orgDay(now, timeZone);
    const iso = (date: { year: number; month: number; day: number }) =>
      `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
    await updateSessionSettings(db, null, sessionId, { outreach: { warmUpFrom: iso(today.today) } });
    await startCampaign(db, boss, null, campaign.id);
    // Day 1 of the warm-up: 20, whatever the rate allows.
    let outcome;
    for (let step = 0; step < 5; step++) {
      const { tickToken } = await campaignRow(db, campaign.id);
      outcome = await tickCampaign(
        db,
        boss,
        { campaignId: campaign.id, token: tickToken! },
        {},
        new Date(now.getTime() + step * 60_000),
      );
      if (outcome.action === "waiting") break;
    }
    expect(outcome).toEqual({ action: "waiting", until: today.next, reason: "daily_cap" });
    expect(await queuedCount(db, campaign.id)).toBe(20);
    const waiting = await campaignRow(db, campaign.id);
    expect(waiting).toMatchObject({ status: "running", waitReason: "daily_cap", waitUntil: today.next });
    // The page's view of the number: day 1, 20 of 20 sent, none left.
    const [number] = (await numbersOutreachNow(db)).filter((row) => row.sessionId === sessionId);
    expect(number).toMatchObject({ cap: 20, warmUpDay: 1, sentToday: 20, remaining: 0 });
    // The loop's next tick is at the org's next day: day 2 allows 30 more.
    const [job] = (
      await db.execute<{ start_after: Date }>(
        sql`select start_after from pgboss.job where name = 'campaign.tick' and data->>'token' = ${waiting.tickToken} limit 1`,
      )
    ).rows;
    expect(new Date(job!.start_after)).toEqual(today.next);
    const tomorrow = new Date(today.next.getTime() + 60_000);
    const next = await tickCampaign(db, boss, { campaignId: campaign.id, token: waiting.tickToken! }, {}, tomorrow);
    expect(next).toMatchObject({ action: "sent", queued: 30 });
    expect(await queuedCount(db, campaign.id)).toBe(50);
    // Sending again, it no longer says it waits; at day 2's cap it sleeps until day 3. (The
    // synthetic clock is a day on; the messages' own time is the database's: day 2's 30 are moved
    // to day 2.)
    await db.execute(sql`
      update ${messages} set created_at = ${tomorrow} where id in (
        select message_id from ${campaignRecipients} where campaign_id = ${campaign.id} and state = 'queued' order by position offset 20)`);
    const sending = await campaignRow(db, campaign.id);
    expect(sending).toMatchObject({ waitReason: null, waitUntil: null });
    const capped = await tickCampaign(
      db,
      boss,
      { campaignId: campaign.id, token: sending.tickToken! },
      {},
      new Date(tomorrow.getTime() + 60_000),
    );
    expect(capped).toMatchObject({ action: "waiting", reason: "daily_cap" });
    expect(await queuedCount(db, campaign.id)).toBe(50);
  });

  it("a capped number's campaign still sends to contacts moved since to a number it does not name, from their new number", async () => {
    const { db, boss, sessionId, timeZone, campaign } = await setUp(40);
    const today = orgDay(new Date(), timeZone).today;
    const iso = `${today.year}-${String(today.month).padStart(2, "0")}-${String(today.day).padStart(2, "0")}`;
    await updateSessionSettings(db, null, sessionId, { outreach: { warmUpFrom: iso } });
    await startCampaign(db, boss, null, campaign.id);
    // The ticks keep the list and send the warm-up day's 20, until the number is at its cap.
    const now = new Date();
    let step = 0;
    for (; step < 5 && (await queuedCount(db, campaign.id)) < 20; step++) {
      const { tickToken } = await campaignRow(db, campaign.id);
      await tickCampaign(
        db,
        boss,
        { campaignId: campaign.id, token: tickToken! },
        {},
        new Date(now.getTime() + step * 60_000),
      );
    }
    expect(await queuedCount(db, campaign.id)).toBe(20);
    // Then the last 5 contacts move to a number the campaign does not name.
    const [other] = await db
      .insert(waSessions)
      .values({ name: "Other number", kind: "simulator" })
      .returning({ id: waSessions.id });
    await createSendQueue(boss, other!.id);
    const moved = await db.execute<{ contact_id: string }>(sql`
      update ${contacts} set session_id = ${other!.id} where id in (
        select contact_id from ${campaignRecipients} where campaign_id = ${campaign.id} order by position desc limit 5)
      returning id as contact_id`);
    expect(moved.rows).toHaveLength(5);
    // The capped number sends no more today; the moved 5 are not its messages and still go.
    const second = await campaignRow(db, campaign.id);
    const outcome = await tickCampaign(
      db,
      boss,
      { campaignId: campaign.id, token: second.tickToken! },
      {},
      new Date(now.getTime() + step * 60_000),
    );
    expect(outcome).toMatchObject({ action: "sent", queued: 5 });
    const bySession = await db.execute<{ session_id: string; n: number }>(sql`
      select m.session_id, count(*)::int as n from ${campaignRecipients} r join ${messages} m on m.id = r.message_id
      where r.campaign_id = ${campaign.id} group by m.session_id`);
    expect(Object.fromEntries(bySession.rows.map((row) => [row.session_id, row.n]))).toEqual({
      [sessionId]: 20,
      [other!.id]: 5,
    });
  });

  it("an established number with no cap sends at the campaign's rate alone", async () => {
    const { db, boss, campaign } = await setUp(60);
    await startCampaign(db, boss, null, campaign.id);
    const { tickToken } = await campaignRow(db, campaign.id);
    await tickCampaign(db, boss, { campaignId: campaign.id, token: tickToken! }, {}, new Date());
    const second = await campaignRow(db, campaign.id);
    const outcome = await tickCampaign(
      db,
      boss,
      { campaignId: campaign.id, token: second.tickToken! },
      {},
      new Date(Date.now() + 60_000),
    );
    expect(outcome).toMatchObject({ action: "sent", done: true });
    expect(await queuedCount(db, campaign.id)).toBe(60);
  });
});

describe("number health: a drop pauses the campaign", () => {
  /** Sends `count` of the campaign's recipients (one tick at the start, one a minute on). */
  async function sendSome(setup: Awaited<ReturnType<typeof setUp>>, at: Date) {
    const { db, boss, campaign } = setup;
    const { tickToken } = await campaignRow(db, campaign.id);
    return tickCampaign(db, boss, { campaignId: campaign.id, token: tickToken! }, {}, at);
  }

  it("pauses with the number and the reason when failures pass the threshold; a resume judges only what follows", async () => {
    const setup = await setUp(400);
    const { db, boss, sessionId, campaign, actor } = setup;
    await db.update(campaigns).set({ ratePerMinute: 30 }).where(eq(campaigns.id, campaign.id));
    await startCampaign(db, boss, null, campaign.id);
    const start = new Date();
    await sendSome(setup, start); // 1
    await sendSome(setup, new Date(start.getTime() + 60_000)); // 30 more
    expect(await queuedCount(db, campaign.id)).toBe(31);
    // The engine reports: 12 of the 31 failed, the rest went out (39 % failures: 22 points under the threshold).
    await db.execute(sql`
      update ${messages} set status = case when seq % 31 < 12 then 'failed'::message_status else 'sent'::message_status end,
        sent_at = now(), failed_at = case when seq % 31 < 12 then now() end
      where source = 'campaign' and session_id = ${sessionId}`);
    const failed = (
      await db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${messages} where source = 'campaign' and status = 'failed'`,
      )
    ).rows[0]!.n;
    expect(failed).toBe(12);
    // Less than a minute after the last judgement: not judged yet, sends on.
    const early = await sendSome(setup, new Date(start.getTime() + 90_000));
    expect(early.action).toBe("sent");
    const queuedBefore = await queuedCount(db, campaign.id);
    const paused = await sendSome(setup, new Date(start.getTime() + 150_000));
    expect(paused).toMatchObject({
      action: "paused",
      detail: { sessionId, sessionName: "Simulator", cause: "failures", pauseBelow: 50 },
    });
    expect(await queuedCount(db, campaign.id)).toBe(queuedBefore);
    const row = await campaignRow(db, campaign.id);
    expect(row).toMatchObject({ status: "paused", tickToken: null, pausedReason: "health" });
    expect(row.pausedDetail).toMatchObject({ cause: "failures", sent: 31, failed: 12 });
    const audits = await db.select().from(auditLog).where(eq(auditLog.entityId, campaign.id));
    expect(audits.filter((audit) => audit.action === "pause")).toEqual([
      expect.objectContaining({ entity: "campaign", userId: null }),
    ]);
    // Staff resume knowing why: the failures before the resume no longer count.
    await resumeCampaign(db, boss, actor, campaign.id);
    const resumed = await campaignRow(db, campaign.id);
    expect(resumed).toMatchObject({ status: "running", pausedReason: null, pausedDetail: null });
    expect(resumed.healthSince).not.toBeNull();
    const after = await tickCampaign(
      db,
      boss,
      { campaignId: campaign.id, token: resumed.tickToken! },
      {},
      new Date(Date.now() + 5 * 60_000),
    );
    expect(after.action).toBe("sent");
  });

  it("pauses for opt-outs after the campaign's messages, unless the number is set never to pause", async () => {
    const setup = await setUp(400);
    const { db, boss, sessionId, campaign } = setup;
    await db.update(campaigns).set({ ratePerMinute: 60 }).where(eq(campaigns.id, campaign.id));
    await startCampaign(db, boss, null, campaign.id);
    const start = new Date();
    await sendSome(setup, start); // 1, and the health judged
    await sendSome(setup, new Date(start.getTime() + 40_000)); // 40 more
    expect(await queuedCount(db, campaign.id)).toBe(41);
    // All delivered; 2 of those contacts opted out afterwards (4.9 %: 39 points off).
    await db.execute(sql`update ${messages} set status = 'delivered', sent_at = now() where source = 'campaign'`);
    await db.execute(sql`
      update ${contacts} set opted_out = true, opted_out_at = now() + interval '1 second'
      where id in (select contact_id from ${campaignRecipients} where campaign_id = ${campaign.id} and state = 'queued' limit 2)`);
    const [number] = (await numbersOutreachNow(db)).filter((entry) => entry.sessionId === sessionId);
    expect(number!.health).toMatchObject({ score: 61, cause: "opt_outs", optedOut: 2, sent: 41 });
    // 61 is above the default threshold: a number that asks for more pauses; one set never to does not.
    await updateSessionSettings(db, null, sessionId, { outreach: { pauseBelow: 0 } });
    expect((await sendSome(setup, new Date(start.getTime() + 70_000))).action).toBe("sent");
    await updateSessionSettings(db, null, sessionId, { outreach: { pauseBelow: 70 } });
    expect(await sendSome(setup, new Date(start.getTime() + 100_000))).toMatchObject({ action: "sent" });
    expect(await sendSome(setup, new Date(start.getTime() + 140_000))).toMatchObject({
      action: "paused",
      detail: { cause: "opt_outs", pauseBelow: 70, optedOut: 2 },
    });
  });
});
