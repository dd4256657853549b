import type { TDbOrTx } from "~/db/client";
import { events } from "~/db/schema";

/** Domain event types. Every one is announced on NOTIFY 'switchboard_events' by a trigger. */
export const EVENT_TYPES = [
  "message.received",
  "message.rejected",
  "message.queued",
  "message.sent",
  "message.status",
  "message.failed",
  "thread.awaiting_human",
  "session.status",
] as const;
export type TEventType = (typeof EVENT_TYPES)[number];

export type TEventInput = {
  type: TEventType;
  sessionId?: string | null;
  contactId?: string | null;
  threadId?: string | null;
  messageId?: string | null;
  payload?: Record<string, unknown>;
};

/** Appends a domain event; call it in the transaction that made the change it describes. */
export async function recordEvent(tx: TDbOrTx, event: TEventInput): Promise<void> {
  await tx.insert(events).values({ ...event, payload: event.payload ?? {} });
}

/** The NOTIFY channel the events trigger announces on, and its payload. */
export const EVENTS_CHANNEL = "switchboard_events";
export type TEventNotice = {
  id: string;
  type: TEventType;
  sessionId: string | null;
  contactId: string | null;
  threadId: string | null;
  messageId: string | null;
  at: string;
};
