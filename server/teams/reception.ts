import { createHash } from "node:crypto";
import { and, desc, eq, gte, isNotNull } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TDbOrTx } from "~/db/client";
import { contacts, messages, teams, threads } from "~/db/schema";
import { contactLocale } from "~/server/contacts/consent";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { assertMayQueue } from "~/server/conversations/window";
import { AppError } from "~/server/errors";
import { domainText, serverText } from "~/server/i18n/domain";
import type { TLocale } from "~/server/i18n/locales";
import { ZBusinessHours, type TBusinessHours } from "~/server/settings/schema";
import { getOrgSettings } from "~/server/settings/settings";
import { isOpenAt, localDaysBetween, medianOf, nextOpeningAt, roundWait, type TWaitEstimate } from "./hours";

/**
 * What the contact hears when their conversation is handed off to a team (the `team.acknowledge`
 * job, queued in the hand-off's transaction by `queueTeamHandoffs`): inside the team's hours (its
 * own, else the org's, in the org's time zone) the acknowledgement with an honest expected wait;
 * outside them, the closed message saying when the team is back. Sent through the outbound path
 * (paced, recorded, in the Inbox) as a bot message that is a notice, not an answer: the contact
 * still waits for a person.
 */

/** The history the expected wait is computed from: hand-offs of the last days. */
export const WAIT_HISTORY_DAYS = 7;
/** Fewer answered hand-offs than this: no number is promised. */
export const WAIT_MIN_SAMPLES = 3;
const WAIT_MAX_SAMPLES = 200;

/** The expected wait for a hand-off to the team now (null: too little history to say). */
export async function expectedWaitOf(
  db: TDbOrTx,
  teamId: string,
  hours: TBusinessHours,
  timeZone: string,
  now = new Date(),
): Promise<TWaitEstimate | null> {
  const rows = await db
    .select({ handoffAt: threads.handoffAt, repliedAt: threads.firstHumanReplyAt })
    .from(threads)
    .where(
      and(
        eq(threads.teamId, teamId),
        isNotNull(threads.firstHumanReplyAt),
        gte(threads.handoffAt, new Date(now.getTime() - WAIT_HISTORY_DAYS * 86_400_000)),
      ),
    )
    .orderBy(desc(threads.handoffAt))
    .limit(WAIT_MAX_SAMPLES);
  return estimateWait(rows, hours, timeZone);
}

/**
 * The expected wait from past hand-offs (their time and the first reply by a person): the
 * median wait of those handed off while the team was open (a night's wait says nothing about a
 * wait now), rounded (`roundWait`); null with fewer than `WAIT_MIN_SAMPLES`.
 */
export function estimateWait(
  history: readonly { handoffAt: Date | null; repliedAt: Date | null }[],
  hours: TBusinessHours,
  timeZone: string,
): TWaitEstimate | null {
  const waits = history.flatMap(({ handoffAt, repliedAt }) =>
    handoffAt && repliedAt && repliedAt >= handoffAt && isOpenAt(handoffAt, timeZone, hours)
      ? [repliedAt.getTime() - handoffAt.getTime()]
      : [],
  );
  if (waits.length < WAIT_MIN_SAMPLES) return null;
  return roundWait(medianOf(waits)!);
}

/** A wait in the contact's language: "a few minutes", "about 15 minutes", "about 2 hours". */
export function describeWait(locale: TLocale, wait: TWaitEstimate): string {
  if (wait.unit === "few") return domainText(locale, serverText("teamReception.waitFewMinutes"));
  const key = {
    minutes: "teamReception.waitMinutes",
    hours: "teamReception.waitHours",
    days: "teamReception.waitDays",
  }[wait.unit];
  return domainText(locale, serverText(key, { count: wait.count }));
}

/** When the team opens, in the contact's language and the org's time zone: "tomorrow at 9:00 AM GMT+1". */
export function describeOpening(locale: TLocale, opening: Date, timeZone: string, now: Date): string {
  const time = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(opening);
  const days = localDaysBetween(now, opening, timeZone);
  if (days <= 0) return domainText(locale, serverText("teamReception.opensToday", { time }));
  if (days === 1) return domainText(locale, serverText("teamReception.opensTomorrow", { time }));
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: "long", day: "numeric", month: "long" }).format(
    opening,
  );
  return domainText(locale, serverText("teamReception.opensOn", { day, time }));
}

const PLACEHOLDER = { wait: /\{\{\s*wait\s*\}\}/g, opens: /\{\{\s*opens\s*\}\}/g };

/**
 * The text the contact gets: the team's own (its `{{wait}}` / `{{opens}}` filled in) or the
 * catalogue's default in the contact's language; without a number to give, a text without one.
 */
export function receptionText(input: {
  locale: TLocale;
  open: boolean;
  ackMessage: string | null;
  closedMessage: string | null;
  wait: TWaitEstimate | null;
  opening: Date | null;
  timeZone: string;
  now: Date;
}): string {
  const { locale } = input;
  if (input.open) {
    const wait = input.wait ? describeWait(locale, input.wait) : null;
    if (input.ackMessage) {
      const filler = wait ?? domainText(locale, serverText("teamReception.waitUnknown"));
      return input.ackMessage.replace(PLACEHOLDER.wait, filler);
    }
    return wait
      ? domainText(locale, serverText("teamReception.ack", { wait }))
      : domainText(locale, serverText("teamReception.ackNoEstimate"));
  }
  const opens = input.opening ? describeOpening(locale, input.opening, input.timeZone, input.now) : null;
  if (input.closedMessage) {
    const filler = opens ?? domainText(locale, serverText("teamReception.opensUnknown"));
    return input.closedMessage.replace(PLACEHOLDER.opens, filler);
  }
  return opens
    ? domainText(locale, serverText("teamReception.closed", { opens }))
    : domainText(locale, serverText("teamReception.closedNoOpening"));
}

/** The acknowledgement's message id: one per hand-off (thread and time), so a retried job finds it sent. */
export function acknowledgementIdOf(threadId: string, handoffAt: Date): string {
  const hex = createHash("sha256").update(`team-ack:${threadId}:${handoffAt.toISOString()}`).digest("hex");
  // Shaped as a version 4, variant 1 UUID (the column's type).
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export type TAcknowledgeOutcome =
  | { sent: true; messageId: string; open: boolean; body: string }
  | { sent: false; reason: "stale" | "off" | "already_sent" | "silent" | "window_closed" };

/**
 * The `team.acknowledge` job: tells the contact of hand-off `handoffAt` to `teamId` what happens
 * next, once. Nothing when the thread has moved on since (another hand-off, taken by a person,
 * closed), when the team no longer acknowledges, for a contact the bot must not answer (blocked;
 * opted out, unless Settings say the bot answers them) or when the engine's service window is
 * closed. Under the thread's row lock, with the message's id fixed by the hand-off: at most one.
 */
export async function acknowledgeHandoff(
  db: TDb,
  boss: PgBoss,
  input: { threadId: string; teamId: string; handoffAt: string },
  now = new Date(),
): Promise<TAcknowledgeOutcome> {
  const handoffAt = new Date(input.handoffAt);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        mode: threads.mode,
        teamId: threads.teamId,
        handoffAt: threads.handoffAt,
        contactId: threads.contactId,
        sessionId: contacts.sessionId,
        blocked: contacts.blocked,
        optedOut: contacts.optedOut,
      })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(threads.id, input.threadId))
      .for("update", { of: threads });
    if (
      !row ||
      row.mode !== "human" ||
      row.teamId !== input.teamId ||
      row.handoffAt?.getTime() !== handoffAt.getTime()
    ) {
      return { sent: false, reason: "stale" };
    }
    const [team] = await tx
      .select({
        acknowledge: teams.acknowledge,
        businessHours: teams.businessHours,
        ackMessage: teams.ackMessage,
        closedMessage: teams.closedMessage,
      })
      .from(teams)
      .where(eq(teams.id, input.teamId));
    if (!team?.acknowledge) return { sent: false, reason: "off" };
    const messageId = acknowledgementIdOf(input.threadId, handoffAt);
    const [existing] = await tx.select({ id: messages.id }).from(messages).where(eq(messages.id, messageId));
    if (existing) return { sent: false, reason: "already_sent" };
    const settings = await getOrgSettings(tx);
    if (row.blocked || (row.optedOut && !settings.answerOptedOut)) return { sent: false, reason: "silent" };
    try {
      await assertMayQueue(tx, { sessionId: row.sessionId, threadId: input.threadId, content: { kind: "text" } }, now);
    } catch (error) {
      if (error instanceof AppError) return { sent: false, reason: "window_closed" };
      throw error;
    }

    const ownHours = team.businessHours ? ZBusinessHours.safeParse(team.businessHours) : null;
    const hours = ownHours?.success ? ownHours.data : settings.businessHours;
    const { timeZone } = settings;
    const open = isOpenAt(now, timeZone, hours);
    const body = receptionText({
      locale: await contactLocale(tx, row.contactId),
      open,
      ackMessage: team.ackMessage,
      closedMessage: team.closedMessage,
      wait: open ? await expectedWaitOf(tx, input.teamId, hours, timeZone, now) : null,
      opening: open ? null : nextOpeningAt(now, timeZone, hours),
      timeZone,
      now,
    });
    await queueOutboundOne(tx, boss, {
      id: messageId,
      sessionId: row.sessionId,
      threadId: input.threadId,
      contactId: row.contactId,
      body,
      source: "system",
      notice: true,
      event: { by: "team", acknowledgement: { teamId: input.teamId, open } },
    });
    return { sent: true, messageId, open, body };
  });
}
