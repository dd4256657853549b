import { and, asc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, scheduledMessages, threads, users } from "~/db/schema";
import type { TSessionUser } from "~/server/auth/roles";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { assertMayQueue } from "~/server/conversations/window";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { enqueue } from "~/server/jobs/boss";
import { contentOfRow, textContent, ZMessageContent, type TMessageContent } from "~/server/messages/content";
import { resolveSendTarget } from "~/server/messaging/send-to-number";
import { getOrgSettings } from "~/server/settings/settings";
import { expiryFlag } from "./expiry";
import { instantOfWallTime, WALL_TIME } from "./wall-time";

/** How far ahead a message may be scheduled. */
export const SCHEDULE_MAX_DAYS = 30;
/** A `sendAt` this close to now (or a little in the past: clocks, a slow request) still counts as "now". */
const SCHEDULE_GRACE_MS = 5_000;

/**
 * Checks a schedule's times, naming the field as the person sees it: `sendAt` in the future (at
 * most `SCHEDULE_MAX_DAYS` ahead), `expiresAt` after it. Throws a BAD_REQUEST with field errors.
 */
export function assertScheduleTimes(sendAt: Date, expiresAt: Date | null, now = new Date()): void {
  if (Number.isNaN(sendAt.getTime()))
    throw new AppError("BAD_REQUEST", "Give the time to send at as an ISO date and time.", {
      sendAt: "Give the time to send at as an ISO date and time.",
    });
  if (sendAt.getTime() < now.getTime() - SCHEDULE_GRACE_MS)
    throw new AppError("BAD_REQUEST", "The time to send at has passed.", { sendAt: "The time to send at has passed." });
  if (sendAt.getTime() > now.getTime() + SCHEDULE_MAX_DAYS * 86_400_000)
    throw new AppError("BAD_REQUEST", serverText("scheduled.tooFar", { days: SCHEDULE_MAX_DAYS }), {
      sendAt: serverText("scheduled.tooFar", { days: SCHEDULE_MAX_DAYS }),
    });
  if (expiresAt === null) return;
  if (Number.isNaN(expiresAt.getTime()))
    throw new AppError("BAD_REQUEST", "Give the expiry as an ISO date and time.", {
      expiresAt: "Give the expiry as an ISO date and time.",
    });
  if (expiresAt.getTime() <= sendAt.getTime())
    throw new AppError("BAD_REQUEST", "The expiry must come after the time to send at.", {
      expiresAt: "The expiry must come after the time to send at.",
    });
}

/** What a scheduled message needs: its conversation, what it says, when, and who asked. */
export type TScheduleInput = {
  sessionId: string;
  threadId: string;
  contactId: string;
  body: string;
  /** What it carries when it is not a text of `body`. */
  content?: TMessageContent;
  sendAt: Date;
  expiresAt?: Date | null;
  createdBy?: string | null;
  apiKeyId?: string | null;
};

/**
 * Schedules one message to one contact: the row (`scheduled`) and its `scheduled.send` job,
 * which starts at `sendAt`, in the caller's transaction (a rollback leaves neither). The times are
 * checked here (`assertScheduleTimes`); the window and the contact are checked again when it goes.
 */
export async function scheduleMessage(tx: TTx, boss: PgBoss, input: TScheduleInput) {
  const expiresAt = input.expiresAt ?? null;
  assertScheduleTimes(input.sendAt, expiresAt);
  const [row] = await tx
    .insert(scheduledMessages)
    .values({
      sessionId: input.sessionId,
      contactId: input.contactId,
      threadId: input.threadId,
      body: input.body,
      content: input.content ?? null,
      sendAt: input.sendAt,
      expiresAt,
      createdBy: input.createdBy ?? null,
      apiKeyId: input.apiKeyId ?? null,
    })
    .returning();
  await enqueue(boss, "scheduled.send", { scheduledId: row!.id }, { tx, startAfter: input.sendAt });
  return row!;
}

/** What running a scheduled message did. */
export type TScheduledOutcome = "sent" | "expired" | "failed" | "not_due" | "done";

/**
 * A scheduled message's time came (`scheduled.send`): in ONE transaction, under the row's lock,
 * it is queued through the outbound entry point and marked `sent` with its message, or marked
 * `expired` (its expiry passed first) or `failed` (the contact was blocked or opted out, or the
 * window closed). A row no longer `scheduled` (sent, cancelled, a second run of its job) is left
 * alone: exactly once, however often the job runs, and a crash before the commit leaves the row
 * `scheduled` with no message, for the retry.
 */
export async function runScheduledMessage(db: TDb, boss: PgBoss, scheduledId: string, now?: Date) {
  return db.transaction((tx) => runScheduledMessageIn(tx, boss, scheduledId, now));
}

/** `runScheduledMessage` in the caller's transaction (tests roll it back to play a crash). */
export async function runScheduledMessageIn(
  tx: TTx,
  boss: PgBoss,
  scheduledId: string,
  now = new Date(),
): Promise<TScheduledOutcome> {
  const [row] = await tx
    .select()
    .from(scheduledMessages)
    .where(and(eq(scheduledMessages.id, scheduledId), eq(scheduledMessages.state, "scheduled")))
    .for("update");
  if (!row) return "done";
  if (row.sendAt.getTime() > now.getTime() + 1_000) {
    // Early (a clock ahead of the database's, a job made by hand): comes back at its time.
    await enqueue(boss, "scheduled.send", { scheduledId }, { tx, startAfter: row.sendAt });
    return "not_due";
  }
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    await finish(tx, scheduledId, "expired", "expired");
    return "expired";
  }
  const [contact] = await tx
    .select({ blocked: contacts.blocked, optedOut: contacts.optedOut })
    .from(contacts)
    .where(eq(contacts.id, row.contactId));
  const refusal = !contact ? "contact_gone" : contact.blocked ? "blocked" : contact.optedOut ? "opted_out" : null;
  const content = storedContent(row);
  if (!refusal) {
    try {
      await assertMayQueue(tx, { sessionId: row.sessionId, threadId: row.threadId, content }, now);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await finish(tx, scheduledId, "failed", `window: ${error.message}`.slice(0, 1_000));
      return "failed";
    }
  }
  if (refusal) {
    await finish(tx, scheduledId, "failed", refusal);
    return "failed";
  }
  const queued = await queueOutboundOne(tx, boss, {
    sessionId: row.sessionId,
    threadId: row.threadId,
    contactId: row.contactId,
    body: row.body,
    content,
    source: row.createdBy ? "agent" : "api",
    authorUserId: row.createdBy,
    ...(row.expiresAt ? { flags: [expiryFlag(row.expiresAt)] } : {}),
    event: {
      source: row.createdBy ? "agent" : "api",
      scheduledId,
      ...(row.createdBy ? { by: row.createdBy } : {}),
      ...(row.apiKeyId ? { apiKeyId: row.apiKeyId } : {}),
    },
  });
  await tx
    .update(scheduledMessages)
    .set({ state: "sent", messageId: queued!.id, updatedAt: sql`now()` })
    .where(eq(scheduledMessages.id, scheduledId));
  return "sent";
}

function storedContent(row: { body: string; content: Record<string, unknown> | null }): TMessageContent {
  if (!row.content) return textContent(row.body);
  const parsed = ZMessageContent.safeParse(row.content);
  return parsed.success ? parsed.data : contentOfRow({ content: row.content, type: "text", body: row.body });
}

async function finish(tx: TTx, id: string, state: "expired" | "failed", reason: string) {
  await tx
    .update(scheduledMessages)
    .set({ state, reason, updatedAt: sql`now()` })
    .where(eq(scheduledMessages.id, id));
}

/** A scheduled message as the API and the Inbox show it. */
export type TScheduledView = {
  id: string;
  threadId: string;
  contactId: string;
  sessionId: string;
  body: string;
  sendAt: Date;
  expiresAt: Date | null;
  state: (typeof scheduledMessages.$inferSelect)["state"];
  messageId: string | null;
  reason: string | null;
  createdAt: Date;
};

const VIEW = {
  id: scheduledMessages.id,
  threadId: scheduledMessages.threadId,
  contactId: scheduledMessages.contactId,
  sessionId: scheduledMessages.sessionId,
  body: scheduledMessages.body,
  sendAt: scheduledMessages.sendAt,
  expiresAt: scheduledMessages.expiresAt,
  state: scheduledMessages.state,
  messageId: scheduledMessages.messageId,
  reason: scheduledMessages.reason,
  createdAt: scheduledMessages.createdAt,
};

/** One scheduled message (NOT_FOUND when there is none). */
export async function getScheduledMessage(db: TDbOrTx, id: string): Promise<TScheduledView> {
  const [row] = await db.select(VIEW).from(scheduledMessages).where(eq(scheduledMessages.id, id));
  if (!row) throw new AppError("NOT_FOUND", "There is no such scheduled message.");
  return row;
}

/**
 * Cancels a message still `scheduled` (its job then finds nothing to do). One already sent,
 * expired or cancelled is a CONFLICT saying so; an unknown id NOT_FOUND. `threadId`: only in
 * this conversation (the Inbox).
 */
export async function cancelScheduledMessage(db: TDbOrTx, id: string, threadId?: string): Promise<TScheduledView> {
  const [cancelled] = await db
    .update(scheduledMessages)
    .set({ state: "cancelled", reason: "cancelled", updatedAt: sql`now()` })
    .where(
      and(
        eq(scheduledMessages.id, id),
        eq(scheduledMessages.state, "scheduled"),
        ...(threadId ? [eq(scheduledMessages.threadId, threadId)] : []),
      ),
    )
    .returning(VIEW);
  if (cancelled) return cancelled;
  const existing = await getScheduledMessage(db, id);
  if (threadId && existing.threadId !== threadId)
    throw new AppError("NOT_FOUND", "There is no such scheduled message.");
  throw new AppError("CONFLICT", serverText("scheduled.notScheduled", { state: existing.state }));
}

/** A conversation's messages still waiting for their time, soonest first. */
export async function listScheduledInThread(db: TDbOrTx, threadId: string): Promise<TScheduledView[]> {
  return db
    .select(VIEW)
    .from(scheduledMessages)
    .where(and(eq(scheduledMessages.threadId, threadId), eq(scheduledMessages.state, "scheduled")))
    .orderBy(asc(scheduledMessages.sendAt));
}

export const ZScheduleReplyInput = z.object({
  threadId: z.uuid(),
  body: z.string().trim().min(1, "The message is empty").max(4_096, "At most 4,096 characters"),
  /** The wall-clock time in the org's time zone (Settings), as a `datetime-local` input gives it. */
  sendAt: z.string().regex(WALL_TIME, "Choose a date and time."),
});

/**
 * An agent schedules a text in a conversation they may reply to (not one another person took
 * over). Blocked and opted-out contacts are refused now, and checked again when it goes.
 */
export async function scheduleAgentMessage(
  db: TDb,
  boss: PgBoss,
  user: TSessionUser,
  raw: z.input<typeof ZScheduleReplyInput>,
) {
  const input = ZScheduleReplyInput.parse(raw);
  return db.transaction(async (tx) => {
    const { timeZone } = await getOrgSettings(tx);
    const sendAt = instantOfWallTime(input.sendAt, timeZone);
    if (!sendAt) throw new AppError("BAD_REQUEST", "Choose a date and time.", { sendAt: "Choose a date and time." });
    const [target] = await tx
      .select({
        contactId: contacts.id,
        sessionId: contacts.sessionId,
        blocked: contacts.blocked,
        optedOut: contacts.optedOut,
        mode: threads.mode,
        assignedUserId: threads.assignedUserId,
        owner: users.name,
      })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .leftJoin(users, eq(users.id, threads.assignedUserId))
      .where(eq(threads.id, input.threadId));
    if (!target) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
    if (target.mode === "human" && target.assignedUserId !== null && target.assignedUserId !== user.id)
      throw new AppError("CONFLICT", serverText("conversations.takenOver", { owner: target.owner ?? "" }));
    if (target.blocked)
      throw new AppError("CONFLICT", "This contact is blocked; unblock them on their contact page first.");
    if (target.optedOut) throw new AppError("CONFLICT", "This contact opted out of messages.");
    const row = await scheduleMessage(tx, boss, {
      sessionId: target.sessionId,
      threadId: input.threadId,
      contactId: target.contactId,
      body: input.body,
      sendAt,
      createdBy: user.id,
    });
    return { id: row.id, sendAt: row.sendAt, state: row.state, body: row.body };
  });
}

/**
 * The REST API schedules a message to a number: the contact and thread are found or created (a
 * blocked or opted-out contact refused now) and the message is scheduled (`scheduleMessage`) in
 * the request's transaction. The 24-hour window is checked when it goes, not now: it may open
 * or close before then.
 */
export async function scheduleToNumber(
  tx: TTx,
  boss: PgBoss,
  input: { to: string; sessionId?: string | undefined; body: string; sendAt: Date; expiresAt: Date | null },
  by: { apiKeyId: string },
  content?: TMessageContent,
) {
  assertScheduleTimes(input.sendAt, input.expiresAt);
  const { sessionId, contact, thread } = await resolveSendTarget(tx, input);
  const row = await scheduleMessage(tx, boss, {
    sessionId,
    threadId: thread.id,
    contactId: contact.id,
    body: input.body,
    ...(content ? { content } : {}),
    sendAt: input.sendAt,
    expiresAt: input.expiresAt,
    apiKeyId: by.apiKeyId,
  });
  return { scheduled: await getScheduledMessage(tx, row.id), contactId: contact.id, threadId: thread.id };
}
