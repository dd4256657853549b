import { randomUUID } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import {
  campaignRecipients,
  campaigns,
  contacts,
  messages,
  segments,
  threads,
  waSessions,
  type TCampaignStatus,
} from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { queueOutbound, type TOutboundItem } from "~/server/conversations/outbound";
import { threadsOfContacts } from "~/server/conversations/find";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { enqueueMany } from "~/server/jobs/boss";
import { pgArray } from "~/server/lib/sql";
import { textOf } from "~/server/messages/content";
import { readSessionSettings } from "~/server/sessions/settings";
import { ZBusinessInterval } from "~/server/settings/schema";
import { getOrgSettings } from "~/server/settings/settings";
import { addDays, clockMinutes, instantOf, localMomentOf } from "~/server/teams/hours";
import {
  buildRecipientMessage,
  campaignSessions,
  ZCampaignContent,
  type TCampaignContent,
  type TRecipientRow,
} from "./content";
import { numbersOutreach, orgDay, unhealthyNumber, type TNumberOutreach, type TPauseDetail } from "./health";
import { reachableWhere, segmentWhere, ZSegmentFilter } from "./segments";

/**
 * Campaigns: one message to many contacts, sent at a set rate, exactly once per recipient.
 *
 * - **Recipients are materialised once**, when the campaign starts: every reachable contact of
 *   its segment on its numbers (never opted out or blocked; contacts who never wrote only when
 *   chosen) becomes a `campaign_recipients` row, `pending`, in one statement. Editing the segment
 *   afterwards changes nothing for this campaign.
 * - **A loop of `campaign.tick` jobs** sends. Each tick, in ONE transaction: locks the campaign,
 *   checks the job's token (each tick hands a new one to the next; a retried or left-over job
 *   holds an old one and does nothing), takes the next pending recipients the rate allows,
 *   queues their messages through the conversations module's entry point (`queueOutbound`,
 *   source `campaign`), marks them `queued` with their message (or `skipped` with the reason),
 *   and queues the next tick. A worker killed anywhere in between rolls all of it back, so a
 *   recipient's message is made exactly once; the send queue then sends each message once.
 * - **The rate** is anchored: `rateAnchorCount` recipients were done at `rateAnchorAt`, and at
 *   most `ratePerMinute` more per minute after it, whatever the ticks' timing. Each number's own
 *   pacing applies on top, in its send queue.
 * - **Quiet hours** (the org's time zone): no tick takes recipients inside them; the loop sleeps
 *   until they end and the rate starts again from there (no burst after the night).
 * - **Numbers' limits and health** (server/campaigns/health.ts): each tick takes no more of a
 *   number's recipients than its daily cap (or warm-up) leaves today; when every number with
 *   recipients left is at its cap, the loop sleeps until the org's next day. When a number's
 *   health falls below its threshold, the tick pauses the campaign instead, with the number and
 *   the reason (`pausedReason` `health`, `pausedDetail`).
 * - **Pause, resume, cancel**: pausing and cancelling end the loop (the token is cleared);
 *   resuming starts a new one. Delivery, reads and replies are the messages' own state.
 */

/** How often the loop looks when the rate allows nothing yet (at most). */
const TICK_MS = 2_000;
/**
 * The shortest gap between two ticks: at a high rate a tick takes the second's worth at once
 * rather than one message per tick (each tick is a transaction and a job: at 600 a minute, ten
 * a second would compete with the replies the pipeline is making).
 */
const MIN_TICK_GAP_MS = 1_000;
/** How often a running campaign judges its numbers' health (server/campaigns/health.ts). */
const HEALTH_EVERY_MS = 60_000;
/** Recipients one tick takes at most (one transaction). */
const MAX_PER_TICK = 500;

export { ZCampaignContent, type TCampaignContent };

export const ZCampaignInput = z
  .object({
    name: z.string().trim().min(1, "Name the campaign").max(120, "At most 120 characters"),
    /** Who it goes to: a segment's contacts, or an imported list (its rows are the recipients, see ./audience.ts). */
    audience: z.enum(["segment", "list"]).default("segment"),
    /** The segment (audience `segment`); ignored for a list. */
    segmentId: z.uuid("Choose a segment").nullable().optional(),
    content: ZCampaignContent,
    sessionIds: z.array(z.uuid()).min(1, "Choose at least one number to send from").max(20),
    startAt: z.coerce.date().nullable().default(null),
    quietHours: z
      .object({ start: ZBusinessInterval.shape.start, end: ZBusinessInterval.shape.end })
      .strict()
      .refine((quiet) => quiet.start !== quiet.end, { message: "Quiet hours need a start and a different end" })
      .nullable()
      .default(null),
    ratePerMinute: z.coerce
      .number()
      .int("A whole number of messages per minute")
      .min(1, "At least 1 message per minute")
      .max(6_000, "At most 6,000 messages per minute"),
    includeColdContacts: z.boolean().default(false),
  })
  .strict()
  .refine((input) => input.audience === "list" || !!input.segmentId, {
    message: "Choose a segment",
    path: ["segmentId"],
  });
export type TCampaignInput = z.input<typeof ZCampaignInput>;

/** Creates a draft campaign (`id` null) or changes a draft or scheduled one. Audited. */
export async function saveCampaign(db: TDb, actor: TActor, id: string | null, raw: TCampaignInput) {
  const { audience, ...input } = ZCampaignInput.parse(raw);
  const segmentId = audience === "segment" ? input.segmentId! : null;
  return db.transaction(async (tx) => {
    if (segmentId) {
      const [segment] = await tx.select({ id: segments.id }).from(segments).where(eq(segments.id, segmentId));
      if (!segment)
        throw new AppError("BAD_REQUEST", serverText("campaigns.segmentNotFound"), {
          segmentId: serverText("campaigns.segmentNotFound"),
        });
    }
    const values = { ...input, segmentId, content: input.content as Record<string, unknown> };
    if (!id) {
      const [created] = await tx
        .insert(campaigns)
        .values({ ...values, createdBy: actor?.id ?? null })
        .returning();
      await recordAudit(tx, actor, { action: "create", entity: "campaign", entityId: created!.id, after: created });
      return created!;
    }
    const before = await lockCampaign(tx, id);
    if (before.status !== "draft" && before.status !== "scheduled")
      throw new AppError("CONFLICT", serverText("campaigns.notEditable"));
    const [after] = await tx
      .update(campaigns)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(campaigns.id, id))
      .returning();
    // A segment replaces an imported list: the list's rows (not yet sent: draft or scheduled) go.
    if (segmentId) await clearList(tx, id);
    await recordAudit(tx, actor, { action: "update", entity: "campaign", entityId: id, before, after });
    return after!;
  });
}

/** Removes an imported list's recipients (a campaign not started yet: nothing of them was sent). */
export async function clearList(tx: TTx, id: string) {
  await tx.delete(campaignRecipients).where(eq(campaignRecipients.campaignId, id));
}

/** The campaign's row, locked for the rest of the transaction (NOT_FOUND when it is gone). */
export async function lockCampaign(tx: TTx, id: string) {
  const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
  if (!row) throw new AppError("NOT_FOUND", serverText("campaigns.notFound"));
  return row;
}

/** One status change by staff, audited, with the loop's new token (null: the loop ends). */
async function changeStatus(
  tx: TTx,
  actor: TActor,
  before: typeof campaigns.$inferSelect,
  action: string,
  set: Partial<typeof campaigns.$inferInsert>,
) {
  const [after] = await tx
    .update(campaigns)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(campaigns.id, before.id))
    .returning();
  await recordAudit(tx, actor, {
    action,
    entity: "campaign",
    entityId: before.id,
    before: { status: before.status },
    after: { status: after!.status, pausedReason: after!.pausedReason },
  });
  return after!;
}

/**
 * Starts a draft: at once, or at its `startAt` (status `scheduled` until then). Its recipients
 * are materialised by the loop's first tick, at the start.
 */
export async function startCampaign(db: TDb, boss: PgBoss, actor: TActor, id: string) {
  return db.transaction(async (tx) => {
    const before = await lockCampaign(tx, id);
    if (before.status !== "draft") throw new AppError("CONFLICT", serverText("campaigns.notDraft"));
    const token = randomUUID();
    const later = before.startAt && before.startAt.getTime() > Date.now();
    const after = await changeStatus(tx, actor, before, "start", {
      status: later ? "scheduled" : "running",
      tickToken: token,
      pausedReason: null,
    });
    await enqueueMany(boss, "campaign.tick", [{ campaignId: id, token }], {
      tx,
      ...(later ? { startAfter: before.startAt! } : {}),
    });
    return after;
  });
}

/** Pauses a running (or scheduled) campaign: the loop ends; nothing pending is sent until resumed. */
export async function pauseCampaign(db: TDb, actor: TActor, id: string, reason = "manual") {
  return db.transaction(async (tx) => {
    const before = await lockCampaign(tx, id);
    if (before.status !== "running" && before.status !== "scheduled")
      throw new AppError("CONFLICT", serverText("campaigns.notRunning"));
    return changeStatus(tx, actor, before, "pause", {
      status: "paused",
      tickToken: null,
      pausedReason: reason,
      pausedDetail: null,
      waitReason: null,
      waitUntil: null,
    });
  });
}

/** Resumes a paused campaign: a new loop, the rate counted again from now. */
export async function resumeCampaign(db: TDb, boss: PgBoss, actor: TActor, id: string) {
  return db.transaction(async (tx) => {
    const before = await lockCampaign(tx, id);
    if (before.status !== "paused") throw new AppError("CONFLICT", serverText("campaigns.notPaused"));
    const token = randomUUID();
    // Not started yet (paused while scheduled): it starts as it would have.
    const started = before.startedAt !== null;
    const after = await changeStatus(tx, actor, before, "resume", {
      status: started ? "running" : "scheduled",
      tickToken: token,
      pausedReason: null,
      pausedDetail: null,
      // Staff chose to go on after a health pause: only what is sent from now can pause it again.
      ...(before.pausedReason === "health" ? { healthSince: new Date() } : {}),
      ...(started ? { rateAnchorAt: new Date(), rateAnchorCount: before.doneCount } : {}),
    });
    await enqueueMany(boss, "campaign.tick", [{ campaignId: id, token }], { tx });
    return after;
  });
}

/** Cancels a campaign that has not ended: nothing more is sent; what was sent stays. */
export async function cancelCampaign(db: TDb, actor: TActor, id: string) {
  return db.transaction(async (tx) => {
    const before = await lockCampaign(tx, id);
    if (before.status === "done" || before.status === "cancelled")
      throw new AppError("CONFLICT", serverText("campaigns.ended"));
    return changeStatus(tx, actor, before, "cancel", {
      status: "cancelled",
      tickToken: null,
      finishedAt: new Date(),
    });
  });
}

export type TTickOutcome =
  | { action: "stale" }
  | { action: "waiting"; until: Date; reason: "start" | "quiet_hours" | "daily_cap" }
  | { action: "paused"; detail: TPauseDetail }
  | { action: "sent"; queued: number; skipped: number; done: boolean };

/** Test-only seams: production code passes none. */
export type TTickHooks = { beforeCommit?: () => Promise<void> };

/** One `campaign.tick`: see the module's comment. */
export async function tickCampaign(
  db: TDb,
  boss: PgBoss,
  job: { campaignId: string; token: string },
  hooks: TTickHooks = {},
  now = new Date(),
): Promise<TTickOutcome> {
  return db.transaction(async (tx) => {
    const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, job.campaignId)).for("update");
    if (!campaign || campaign.tickToken !== job.token) return { action: "stale" };
    // Written with the tick's own update of the campaign (its next tick, or its end).
    let stamp: Partial<typeof campaigns.$inferInsert> = {};
    const next = async (at: Date, set: Partial<typeof campaigns.$inferInsert> = {}) => {
      const token = randomUUID();
      await tx
        .update(campaigns)
        .set({ ...stamp, ...set, tickToken: token, updatedAt: now })
        .where(eq(campaigns.id, campaign.id));
      await enqueueMany(boss, "campaign.tick", [{ campaignId: campaign.id, token }], { tx, startAfter: at });
    };
    let state = campaign;
    if ((state.status === "scheduled" || state.status === "running") && state.startedAt === null) {
      if (state.startAt && state.startAt > now) {
        await next(state.startAt);
        return { action: "waiting", until: state.startAt, reason: "start" };
      }
      state = await begin(tx, state, now);
    }
    if (state.status !== "running") return { action: "stale" };
    const { timeZone } = await getOrgSettings(tx);
    const quietEnd = state.quietHours ? quietHoursEnd(now, timeZone, state.quietHours) : null;
    if (quietEnd) {
      // Asleep until the quiet hours end; the rate starts again from there.
      await next(quietEnd, {
        rateAnchorAt: quietEnd,
        rateAnchorCount: state.doneCount,
        waitReason: "quiet_hours",
        waitUntil: quietEnd,
      });
      await hooks.beforeCommit?.();
      return { action: "waiting", until: quietEnd, reason: "quiet_hours" };
    }
    // Health is judged at most once a minute (it reads a day of the numbers' sends); caps every tick.
    const judge = !state.healthCheckedAt || now.getTime() - state.healthCheckedAt.getTime() >= HEALTH_EVERY_MS;
    const numbers = await numbersOutreach(tx, state.sessionIds, now, timeZone, { judge, since: state.healthSince });
    if (judge) stamp = { healthCheckedAt: now };
    const sick = unhealthyNumber(numbers);
    if (sick) {
      // The loop ends here; staff resume it (or not) knowing why.
      const [paused] = await tx
        .update(campaigns)
        .set({
          status: "paused",
          tickToken: null,
          pausedReason: "health",
          pausedDetail: sick,
          waitReason: null,
          waitUntil: null,
          updatedAt: now,
        })
        .where(eq(campaigns.id, state.id))
        .returning();
      await recordAudit(tx, null, {
        action: "pause",
        entity: "campaign",
        entityId: state.id,
        before: { status: state.status },
        after: { status: paused!.status, pausedReason: "health", pausedDetail: sick },
      });
      await hooks.beforeCommit?.();
      return { action: "paused", detail: sick };
    }
    const sleepUntilTomorrow = async () => {
      const tomorrow = orgDay(now, timeZone).next;
      await next(tomorrow, {
        rateAnchorAt: tomorrow,
        rateAnchorCount: state.doneCount,
        waitReason: "daily_cap",
        waitUntil: tomorrow,
      });
      await hooks.beforeCommit?.();
      return { action: "waiting", until: tomorrow, reason: "daily_cap" } as const;
    };
    const anchorAt = state.rateAnchorAt ?? now;
    const allowed = Math.min(
      MAX_PER_TICK,
      state.rateAnchorCount +
        Math.floor((state.ratePerMinute * Math.max(0, now.getTime() - anchorAt.getTime())) / 60_000) +
        1 -
        state.doneCount,
    );
    const { queued, skipped } =
      allowed > 0 ? await sendSome(tx, boss, state, allowed, numbers) : { queued: 0, skipped: 0 };
    const doneCount = state.doneCount + queued + skipped;
    const [left] = await tx
      .select({ id: campaignRecipients.contactId })
      .from(campaignRecipients)
      .where(sql`${campaignRecipients.campaignId} = ${state.id} and ${campaignRecipients.state} = 'pending'`)
      .limit(1);
    if (!left) {
      await tx
        .update(campaigns)
        .set({
          ...stamp,
          status: "done",
          doneCount,
          tickToken: null,
          finishedAt: now,
          waitReason: null,
          waitUntil: null,
          updatedAt: now,
        })
        .where(eq(campaigns.id, state.id));
      await hooks.beforeCommit?.();
      return { action: "sent", queued, skipped, done: true };
    }
    // Nothing taken although the rate allowed it: what is left is the capped numbers' (a number
    // at its cap keeps its recipients pending; recipients since moved to a number the campaign
    // does not name were taken by `sendSome`'s `except`), so the loop sleeps until the next day.
    if (allowed > 0 && queued + skipped === 0 && numbers.some((number) => number.remaining <= 0))
      return sleepUntilTomorrow();
    // The next tick: when the rate allows one more (at least MIN_TICK_GAP_MS on, at most TICK_MS).
    const perMessageMs = 60_000 / state.ratePerMinute;
    const dueAt = anchorAt.getTime() + (doneCount - state.rateAnchorCount) * perMessageMs;
    const soonest = now.getTime() + MIN_TICK_GAP_MS;
    const latest = now.getTime() + TICK_MS;
    await next(new Date(Math.min(Math.max(dueAt, soonest), latest)), { doneCount, waitReason: null, waitUntil: null });
    await hooks.beforeCommit?.();
    return { action: "sent", queued, skipped, done: false };
  });
}

/** The contact (`c`) wrote to us at least once: without `includeColdContacts`, only they are sent to. */
export const wroteFirstSql = sql`exists (select 1 from ${threads} t join ${messages} m on m.thread_id = t.id where t.contact_id = c.id and m.direction = 'in')`;

/** The campaign starts: its recipients are materialised, once, and the rate anchored at now. */
async function begin(tx: TTx, campaign: typeof campaigns.$inferSelect, now: Date) {
  const [segment] = campaign.segmentId
    ? await tx.select().from(segments).where(eq(segments.id, campaign.segmentId))
    : [];
  let materialised = 0;
  if (segment) {
    const filter = ZSegmentFilter.safeParse(segment.filter);
    if (filter.success) {
      const result = await tx.execute(sql`
        insert into ${campaignRecipients} (campaign_id, contact_id, position)
        select ${campaign.id}::uuid, c.id, (row_number() over (order by c.id))::int
        from ${contacts} c
        where ${segmentWhere(filter.data)} and ${reachableWhere}
          and c.session_id = any(${pgArray(campaign.sessionIds, "uuid")})
          ${campaign.includeColdContacts ? sql`` : sql`and ${wroteFirstSql}`}
        on conflict do nothing`);
      materialised = result.rowCount ?? 0;
    }
  }
  let skippedAtStart = 0;
  if (!campaign.segmentId) {
    // An imported list: its rows are the recipients. Those no longer reachable now (opted out or
    // blocked since the import, never wrote when cold contacts are not chosen, or on a number no
    // longer chosen) are skipped with the reason, so the counts show them.
    const { rows } = await tx.execute<{ total: number; skipped: number }>(sql`
      with marked as (
        update ${campaignRecipients} r set state = 'skipped', queued_at = ${now.toISOString()}::timestamptz,
          reason = case when c.opted_out then 'opted_out' when c.blocked then 'blocked'
            when not (c.session_id = any(${pgArray(campaign.sessionIds, "uuid")})) then 'number_not_chosen'
            else 'cold' end
        from ${contacts} c
        where r.campaign_id = ${campaign.id} and r.state = 'pending' and c.id = r.contact_id
          and (not ${reachableWhere} or not (c.session_id = any(${pgArray(campaign.sessionIds, "uuid")}))
            ${campaign.includeColdContacts ? sql`` : sql`or not ${wroteFirstSql}`})
        returning 1
      )
      select (select count(*) from ${campaignRecipients} where campaign_id = ${campaign.id})::int as total,
        (select count(*) from marked)::int as skipped`);
    materialised = rows[0]?.total ?? 0;
    skippedAtStart = rows[0]?.skipped ?? 0;
  }
  const [started] = await tx
    .update(campaigns)
    .set({
      status: "running",
      startedAt: now,
      recipientCount: materialised,
      // Recipients skipped at the start are done, and take nothing from the rate.
      doneCount: skippedAtStart,
      rateAnchorAt: now,
      rateAnchorCount: skippedAtStart,
      updatedAt: now,
    })
    .where(eq(campaigns.id, campaign.id))
    .returning();
  return started!;
}

type TClaimed = TRecipientRow;

/**
 * Up to `count` pending recipients in order, locked: those of one number (`only`), of none of
 * some (`except`: a contact since moved to a number the campaign does not name), or any (null).
 */
async function claim(
  tx: TTx,
  campaignId: string,
  count: number,
  numbers: { only: string } | { except: string[] } | null,
) {
  const { rows } = await tx.execute<TClaimed>(sql`
    with picked as (
      select r.contact_id, r.variables, r.position from ${campaignRecipients} r
      where r.campaign_id = ${campaignId} and r.state = 'pending'
        ${
          numbers === null
            ? sql``
            : "only" in numbers
              ? sql`and exists (select 1 from ${contacts} n where n.id = r.contact_id and n.session_id = ${numbers.only})`
              : sql`and exists (select 1 from ${contacts} n where n.id = r.contact_id and n.session_id <> all(${pgArray(numbers.except, "uuid")}))`
        }
      order by r.position
      limit ${count}
      for update skip locked
    )
    select p.contact_id, p.variables, c.session_id, c.wa_id, c.name, c.relationship, c.fields, c.opted_out, c.blocked,
      t.id as thread_id,
      (select max(m.created_at) from ${messages} m where m.thread_id = t.id and m.direction = 'in') as last_in_at
    from picked p
    join ${contacts} c on c.id = p.contact_id
    left join ${threads} t on t.contact_id = c.id
    order by p.position`);
  return rows;
}

/**
 * Up to `count` pending recipients, in order: each gets its message (queued through the entry
 * point) or is skipped with the reason, in the caller's transaction.
 */
async function sendSome(
  tx: TTx,
  boss: PgBoss,
  campaign: typeof campaigns.$inferSelect,
  count: number,
  numbers: readonly TNumberOutreach[],
) {
  let claimed: TClaimed[];
  if (numbers.every((number) => number.remaining === Number.POSITIVE_INFINITY)) {
    claimed = await claim(tx, campaign.id, count, null);
  } else {
    // A number's recipients, no more than its cap leaves today; the uncapped ones' as they come.
    claimed = [];
    for (const number of numbers) {
      const take = Math.min(count - claimed.length, number.remaining);
      if (take > 0) claimed.push(...(await claim(tx, campaign.id, take, { only: number.sessionId })));
    }
    if (claimed.length < count)
      claimed.push(
        ...(await claim(tx, campaign.id, count - claimed.length, {
          except: numbers.map((number) => number.sessionId),
        })),
      );
  }
  if (claimed.length === 0) return { queued: 0, skipped: 0 };
  const content = ZCampaignContent.parse(campaign.content);
  const sessions = await campaignSessions(
    tx,
    content,
    claimed.map((row) => row.session_id),
  );
  // Every recipient's conversation (ingest's upsert: a contact has one thread).
  const missing = claimed.filter((row) => !row.thread_id).map((row) => row.contact_id);
  if (missing.length > 0) {
    const made = await threadsOfContacts(tx, missing);
    for (const row of claimed) row.thread_id ??= made.get(row.contact_id) ?? null;
  }
  const now = new Date();
  const items: TOutboundItem[] = [];
  const queuedFor: string[] = [];
  const skipped: { contactId: string; reason: string }[] = [];
  for (const row of claimed) {
    const built = buildRecipientMessage(content, sessions.get(row.session_id)!, row, now);
    if ("skip" in built) {
      skipped.push({ contactId: row.contact_id, reason: built.skip });
      continue;
    }
    const message = built.message;
    items.push({
      sessionId: row.session_id,
      threadId: row.thread_id!,
      contactId: row.contact_id,
      body: textOf(message),
      content: message,
      source: "campaign",
      ruleId: null,
      event: { source: "campaign", campaignId: campaign.id },
    });
    queuedFor.push(row.contact_id);
  }
  const stored = await queueOutbound(tx, boss, items);
  const updates = [
    ...queuedFor.map((contactId, index) => ({
      contact_id: contactId,
      state: "queued",
      message_id: stored[index]!.id,
      reason: null as string | null,
    })),
    ...skipped.map(({ contactId, reason }) => ({ contact_id: contactId, state: "skipped", message_id: null, reason })),
  ];
  await tx.execute(sql`
    update ${campaignRecipients} r set state = u.state, message_id = u.message_id, reason = u.reason, queued_at = now()
    from json_to_recordset(${JSON.stringify(updates)}::json) as u(contact_id uuid, state text, message_id uuid, reason text)
    where r.campaign_id = ${campaign.id} and r.contact_id = u.contact_id`);
  return { queued: queuedFor.length, skipped: skipped.length };
}

/** When quiet hours that hold at `at` end (null: not in quiet hours). Times of the org's time zone. */
export function quietHoursEnd(at: Date, timeZone: string, quiet: { start: string; end: string }): Date | null {
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  const local = localMomentOf(at, timeZone);
  const inside =
    start < end ? local.minutes >= start && local.minutes < end : local.minutes >= start || local.minutes < end;
  if (!inside) return null;
  const day = local.minutes < end ? local : addDays(local, 1);
  return instantOf(day, end, timeZone);
}

/** A campaign's progress: recipients by state, and what became of the messages sent. */
export async function campaignProgress(db: TDbOrTx, id: string) {
  const { rows } = await db.execute<{
    recipients: number;
    pending: number;
    queued: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    replied: number;
    skipped: number;
    opted_out: number;
  }>(sql`
    select count(*)::int as recipients,
      (count(*) filter (where r.state = 'pending'))::int as pending,
      (count(*) filter (where m.status = 'queued'))::int as queued,
      (count(*) filter (where m.status in ('sent', 'delivered', 'read')))::int as sent,
      (count(*) filter (where m.status in ('delivered', 'read')))::int as delivered,
      (count(*) filter (where m.status = 'read'))::int as read,
      (count(*) filter (where m.status = 'failed'))::int as failed,
      (count(*) filter (where r.state = 'queued' and exists (
        select 1 from ${messages} i where i.thread_id = m.thread_id and i.direction = 'in' and i.created_at > m.created_at)))::int as replied,
      (count(*) filter (where r.state = 'skipped'))::int as skipped,
      (count(*) filter (where c.opted_out and c.opted_out_at >= coalesce(m.created_at, r.queued_at)))::int as opted_out
    from ${campaignRecipients} r
    join ${contacts} c on c.id = r.contact_id
    left join ${messages} m on m.id = r.message_id
    where r.campaign_id = ${id}`);
  const counts = rows[0]!;
  return { ...counts, optedOut: counts.opted_out };
}

export async function listCampaigns(db: TDbOrTx) {
  return db.select().from(campaigns).orderBy(desc(campaigns.createdAt)).limit(200);
}

export async function getCampaign(db: TDbOrTx, id: string) {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new AppError("NOT_FOUND", serverText("campaigns.notFound"));
  return row;
}

/** The numbers a campaign may send from: each session's name, engine, status and number. */
/**
 * The numbers a campaign may send from, each with the rate its pacing allows (messages a minute;
 * null: not paced). A campaign faster than its numbers' paced rates together only queues
 * messages that wait for their turn: the form says so.
 */
export async function sendingNumbers(db: TDbOrTx) {
  const rows = await db
    .select({
      id: waSessions.id,
      name: waSessions.name,
      kind: waSessions.kind,
      status: waSessions.status,
      phone: waSessions.phone,
      settings: waSessions.settings,
    })
    .from(waSessions)
    .orderBy(waSessions.name);
  return rows.map(({ settings, ...number }) => {
    const { pacing } = readSessionSettings(settings);
    return { ...number, pacedPerMinute: pacing.enabled ? pacing.messagesPerMinute : null };
  });
}

export type { TCampaignStatus };
