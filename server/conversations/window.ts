import { and, desc, eq } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, messages, threads, waSessions } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import type { TMessageContent } from "~/server/messages/content";
import { engineCan, NO_CAPABILITIES, type TEngineCapabilities } from "~/server/sessions/engine-capabilities";
import { getEngine } from "~/server/sessions/engines";
import { getOrgSettings } from "~/server/settings/settings";

/**
 * WhatsApp's 24-hour customer-service window, the one place that knows it. On an engine with the
 * `serviceWindow` capability (the Cloud API), a business may write freely only within 24 hours of
 * the contact's last message; after that, only an approved template reaches them. Nothing is
 * stored: the window is derived from the thread's last inbound message (`messages_thread_created_idx`).
 * The Inbox, the REST API and the rules ask `assertMayQueue` before queueing a message.
 */

/** How long after the contact's last message the window stays open. */
export const SERVICE_WINDOW_HOURS = 24;
const WINDOW_MS = SERVICE_WINDOW_HOURS * 3_600_000;

export type TServiceWindow = {
  /** The session's engine holds the business to the window; when false, `open` is true and says nothing. */
  applies: boolean;
  /** Free-form messages may be sent now. */
  open: boolean;
  /** When the contact last wrote in this thread (null: never). */
  lastContactAt: Date | null;
  /** When the window closes (or closed); null when the contact never wrote. */
  closesAt: Date | null;
};

/** The window after a last message at `lastContactAt`, at `now` (open while less than 24 hours have passed). */
export function windowAt(lastContactAt: Date | null, now: Date): { open: boolean; closesAt: Date | null } {
  if (!lastContactAt) return { open: false, closesAt: null };
  const closesAt = new Date(lastContactAt.getTime() + WINDOW_MS);
  return { open: now.getTime() < closesAt.getTime(), closesAt };
}

/** What a session's engine can do, as published (a session or engine that is not there can do nothing). */
export async function capabilitiesOfSession(db: TDbOrTx, sessionId: string): Promise<TEngineCapabilities> {
  const [session] = await db.select({ kind: waSessions.kind }).from(waSessions).where(eq(waSessions.id, sessionId));
  if (!session) return NO_CAPABILITIES;
  return (await getEngine(db, session.kind))?.capabilities ?? NO_CAPABILITIES;
}

async function lastContactAtOf(db: TDbOrTx, threadId: string): Promise<Date | null> {
  const [last] = await db
    .select({ at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return last?.at ?? null;
}

/**
 * A thread's window: whether it applies (the engine of the thread's number has `serviceWindow`),
 * whether it is open at `now`, when the contact last wrote and when it closes. A thread that does
 * not exist is NOT_FOUND.
 */
export async function serviceWindowOf(db: TDbOrTx, threadId: string, now = new Date()): Promise<TServiceWindow> {
  const [thread] = await db
    .select({ sessionId: contacts.sessionId })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(threads.id, threadId));
  if (!thread) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  const applies = engineCan(await capabilitiesOfSession(db, thread.sessionId), "serviceWindow");
  const lastContactAt = await lastContactAtOf(db, threadId);
  const { open, closesAt } = windowAt(lastContactAt, now);
  return { applies, open: applies ? open : true, lastContactAt, closesAt };
}

/** A moment as numbers in a time zone ("2026-12-05 14:32 (Europe/Lisbon)"): readable in every language. */
export function formatWindowTime(at: Date, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(at);
  } catch {
    return formatWindowTime(at, "UTC");
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")} (${timeZone})`;
}

/**
 * Refuses a message that may not be queued on this session's engine now: a `template` on an
 * engine without templates (BAD_REQUEST), and, where the window applies and is closed (or the
 * contact never wrote: `threadId` null or a thread without their messages), anything but a
 * template (CONFLICT, saying when it closed and that only an approved template can reach the
 * contact). Call it in the transaction that queues the message.
 */
export async function assertMayQueue(
  tx: TDbOrTx,
  input: { sessionId: string; threadId: string | null; content: Pick<TMessageContent, "kind"> },
  now = new Date(),
): Promise<void> {
  const capabilities = await capabilitiesOfSession(tx, input.sessionId);
  if (input.content.kind === "template") {
    if (!engineCan(capabilities, "templates"))
      throw new AppError("BAD_REQUEST", "This number's engine cannot send templates.");
    return;
  }
  if (!engineCan(capabilities, "serviceWindow")) return;
  const lastContactAt = input.threadId ? await lastContactAtOf(tx, input.threadId) : null;
  const { open, closesAt } = windowAt(lastContactAt, now);
  if (open) return;
  const contact = input.threadId ? await contactNameOf(tx, input.threadId) : null;
  if (!closesAt || !contact)
    throw new AppError(
      "CONFLICT",
      contact ? serverText("serviceWindow.neverOpened", { contact }) : serverText("serviceWindow.neverOpenedNew"),
    );
  const { timeZone } = await getOrgSettings(tx);
  throw new AppError(
    "CONFLICT",
    serverText("serviceWindow.closed", {
      time: formatWindowTime(closesAt, timeZone),
      contact,
      hours: SERVICE_WINDOW_HOURS,
    }),
  );
}

async function contactNameOf(db: TDbOrTx, threadId: string): Promise<string | null> {
  const [row] = await db
    .select({ name: contacts.name, waId: contacts.waId })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(threads.id, threadId));
  return row ? (row.name ?? row.waId) : null;
}
