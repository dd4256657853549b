import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, events, THREAD_PRIORITIES, threads } from "~/db/schema";
import { recordAudit } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";
import { recordEvents } from "~/server/events/events";
import { WEEKDAYS } from "~/server/settings/schema";
import { lockThread } from "~/server/conversations/state";
import { getOrgSettings } from "~/server/settings/settings";
import { instantOf, localMomentOf } from "~/server/teams/hours";

/**
 * Working the inbox: snooze and wake, priority and labels. These columns (`snoozed_at`,
 * `snoozed_until`, `priority`, `labels`) are staff's bookkeeping, not the conversation's
 * ownership, so they live here rather than in server/conversations; the one exception is the
 * contact writing, which wakes a snoozed conversation in ingest's own statement
 * (`inboundThreadsUpsert` clears `snoozed_at`, `inboundWokeEvents` records the event).
 */

export const SNOOZE_PRESETS = ["1h", "tomorrow", "next_week"] as const;
export type TSnoozePreset = (typeof SNOOZE_PRESETS)[number];

/** What "9:00" means for the presets (in the organisation's time zone). */
const MORNING_HOUR = 9;
/** Labels a thread can carry, and how long each may be. */
export const MAX_LABELS = 20;
const MAX_LABEL_LENGTH = 40;

/**
 * When a snooze preset ends: in an hour; tomorrow at 9:00; next week (the coming Monday) at
 * 9:00, both in the organisation's time zone. Pure, so tests pin the clock and the zone.
 */
export function snoozeUntilFor(preset: TSnoozePreset, now: Date, timeZone: string): Date {
  if (preset === "1h") return new Date(now.getTime() + 60 * 60_000);
  const today = localMomentOf(now, timeZone);
  // Next week: the coming Monday (a Monday's is the one after).
  const days = preset === "tomorrow" ? 1 : 7 - WEEKDAYS.indexOf(today.weekday);
  return instantOf({ year: today.year, month: today.month, day: today.day + days }, MORNING_HOUR * 60, timeZone);
}

export const ZSnoozeInput = z.object({
  threadId: z.uuid(),
  /** A preset, a moment (`at`), or `contact`: until the contact writes. */
  until: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("preset"), preset: z.enum(SNOOZE_PRESETS) }),
    z.object({ kind: z.literal("at"), at: z.coerce.date() }),
    z.object({ kind: z.literal("contact") }),
  ]),
});
export type TSnoozeInput = z.input<typeof ZSnoozeInput>;

type TLocked = Awaited<ReturnType<typeof lockThread>>;

function ids(thread: TLocked) {
  return { sessionId: thread.sessionId, contactId: thread.contactId, threadId: thread.id };
}

/**
 * Snoozes a conversation: it leaves the usual lists (the "Snoozed" filter shows it) until the
 * time comes (the `inbox.wake` sweep), the contact writes, or someone wakes it. A closed
 * conversation cannot be snoozed; a time must be in the future. Recorded as `thread.snoozed`
 * (`by`, `until`: null for "until the contact writes") and audited.
 */
export async function snoozeThread(db: TDb, user: TSessionUser, raw: TSnoozeInput, now = new Date()) {
  const input = ZSnoozeInput.parse(raw);
  const { timeZone } = await getOrgSettings(db);
  const until =
    input.until.kind === "preset"
      ? snoozeUntilFor(input.until.preset, now, timeZone)
      : input.until.kind === "at"
        ? input.until.at
        : null;
  if (until && until.getTime() <= now.getTime()) {
    throw new AppError("BAD_REQUEST", "Choose a time in the future.", { until: "Choose a time in the future." });
  }
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, input.threadId, "no key update");
    if (thread.mode === "closed") throw new AppError("CONFLICT", "A closed conversation cannot be snoozed.");
    await tx.update(threads).set({ snoozedAt: now, snoozedUntil: until }).where(eq(threads.id, thread.id));
    await recordEvents(tx, [
      { type: "thread.snoozed", ...ids(thread), payload: { by: user.id, until: until?.toISOString() ?? null } },
    ]);
    await recordAudit(tx, user, {
      action: "snooze",
      entity: "thread",
      entityId: thread.id,
      before: { snoozedUntil: thread.snoozedUntil, snoozed: thread.snoozedAt !== null },
      after: { snoozedUntil: until, snoozed: true },
    });
    return { threadId: thread.id, snoozedAt: now, snoozedUntil: until };
  });
}

/** Wakes a snoozed conversation by hand (`thread.woke`, reason `by`); nothing when it is awake. */
export async function wakeThread(db: TDb, user: TSessionUser, threadId: string) {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId, "no key update");
    if (!thread.snoozedAt) return { threadId, woke: false };
    await tx.update(threads).set({ snoozedAt: null, snoozedUntil: null }).where(eq(threads.id, thread.id));
    await recordEvents(tx, [{ type: "thread.woke", ...ids(thread), payload: { reason: "by", by: user.id } }]);
    await recordAudit(tx, user, {
      action: "wake",
      entity: "thread",
      entityId: thread.id,
      before: { snoozed: true, snoozedUntil: thread.snoozedUntil },
      after: { snoozed: false },
    });
    return { threadId, woke: true };
  });
}

/** How many snoozes one sweep wakes at most (the next minute's sweep goes on). */
const WAKE_BATCH = 1_000;

/**
 * The `inbox.wake` cron: snoozes whose time has come end, each with `thread.woke` (reason
 * `time`), in one statement (`threads_snooze_idx`). Returns the threads woken.
 */
export async function wakeDueSnoozes(db: TDbOrTx, now = new Date()): Promise<string[]> {
  const result = await db.execute<{ id: string }>(sql`
    with due as (
      select t.id from ${threads} t
      where t.snoozed_at is not null and t.snoozed_until is not null and t.snoozed_until <= ${now.toISOString()}::timestamptz
      order by t.snoozed_until
      limit ${WAKE_BATCH}
      for no key update skip locked
    ), woken as (
      update ${threads} t set snoozed_at = null, snoozed_until = null
      from due where t.id = due.id
      returning t.id, t.contact_id, t.snoozed_until
    ), recorded as (
      insert into ${events} (type, session_id, contact_id, thread_id, payload)
      select 'thread.woke', c.session_id, w.contact_id, w.id, jsonb_build_object('reason', 'time')
      from woken w join ${contacts} c on c.id = w.contact_id
    )
    select id from woken`);
  return result.rows.map((row) => row.id);
}

/** Lower case, trimmed, inner spaces kept single; empty ones dropped, duplicates once. */
export function normalizeLabels(labels: readonly string[]): string[] {
  const out: string[] = [];
  for (const label of labels) {
    const clean = label.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();
    if (clean && !out.includes(clean)) out.push(clean);
  }
  return out;
}

const ZLabel = z
  .string()
  .max(MAX_LABEL_LENGTH, "A label has at most 40 characters.")
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "A label cannot hold control characters.");

export const ZThreadTagsInput = z.object({
  threadId: z.uuid(),
  priority: z.enum(THREAD_PRIORITIES).optional(),
  labels: z.array(ZLabel).max(MAX_LABELS, "At most 20 labels.").optional(),
});
export type TThreadTagsInput = z.input<typeof ZThreadTagsInput>;

/**
 * Sets a conversation's priority and/or labels (normalised: lower case, trimmed, each once).
 * Recorded as `thread.updated` with what changed (`priority`, `labels`) and audited; nothing
 * when nothing changed.
 */
export async function updateThreadTags(db: TDb, user: TSessionUser, raw: TThreadTagsInput) {
  const input = ZThreadTagsInput.parse(raw);
  return db.transaction(async (tx) => updateThreadTagsIn(tx, user, input));
}

async function updateThreadTagsIn(tx: TTx, user: TSessionUser, input: z.infer<typeof ZThreadTagsInput>) {
  const thread = await lockThread(tx, input.threadId, "no key update");
  const labels = input.labels ? normalizeLabels(input.labels) : undefined;
  const change: { priority?: (typeof THREAD_PRIORITIES)[number]; labels?: string[] } = {};
  if (input.priority !== undefined && input.priority !== thread.priority) change.priority = input.priority;
  if (labels && (labels.length !== thread.labels.length || labels.some((label, i) => label !== thread.labels[i]))) {
    change.labels = labels;
  }
  if (Object.keys(change).length === 0) {
    return { threadId: thread.id, priority: thread.priority, labels: thread.labels, changed: false };
  }
  await tx
    .update(threads)
    .set({ priority: change.priority ?? thread.priority, labels: change.labels ?? thread.labels })
    .where(eq(threads.id, thread.id));
  await recordEvents(tx, [{ type: "thread.updated", ...ids(thread), payload: { by: user.id, ...change } }]);
  await recordAudit(tx, user, {
    action: "update",
    entity: "thread",
    entityId: thread.id,
    before: {
      ...(change.priority ? { priority: thread.priority } : {}),
      ...(change.labels ? { labels: thread.labels } : {}),
    },
    after: change,
  });
  return {
    threadId: thread.id,
    priority: change.priority ?? thread.priority,
    labels: change.labels ?? thread.labels,
    changed: true,
  };
}

/** Adds labels to a conversation (bulk labelling), keeping those it has. */
export async function addThreadLabels(tx: TTx, user: TSessionUser, threadId: string, add: readonly string[]) {
  const [current] = await tx.select({ labels: threads.labels }).from(threads).where(eq(threads.id, threadId));
  if (!current) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  const labels = normalizeLabels([...current.labels, ...add]).slice(0, MAX_LABELS);
  return updateThreadTagsIn(tx, user, { threadId, labels });
}

/** The labels in use (for suggestions), most used first. */
export async function listLabelsInUse(db: TDbOrTx) {
  const rows = await db.execute<{ label: string; uses: number }>(sql`
    select label, count(*)::int as uses
    from ${threads}, unnest(${threads.labels}) label
    where cardinality(${threads.labels}) > 0
    group by label order by uses desc, label limit 200`);
  return rows.rows;
}
