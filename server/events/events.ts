import type { TDbOrTx } from "~/db/client";
import { type AVAILABILITIES, events } from "~/db/schema";
import type { TPresenceState } from "~/server/sessions/presence";

/** Domain event types. Every one is announced on NOTIFY 'switchboard_events' by a trigger. */
export const EVENT_TYPES = [
  "message.received",
  "message.rejected",
  "message.queued",
  "message.sent",
  "message.status",
  "message.failed",
  /**
   * The bot did not answer a message in a bot thread: `payload.reason` is `blocked`, `opted_out`,
   * `reply_cap` or `too_old` (it reached us long after it was sent; also kept on the message as `no_reply_reason`).
   */
  "message.unanswered",
  "thread.awaiting_human",
  "thread.handoff",
  /**
   * The reply cap paused the bot in a thread: `payload.reason` (`reply_cap`), `limit`,
   * `windowMinutes`, `action` (`quiet` or `handoff`), `until` (when quiet ends).
   */
  "thread.bot_paused",
  /** A person took the thread over, or was given it: `payload.assigneeId`, `payload.by`. */
  "thread.assigned",
  /** The thread went back to the bot: `payload.by` is a user id or "policy" (idle handback). */
  "thread.released",
  "thread.closed",
  "thread.reopened",
  /** Staff snoozed the thread: `payload.by`, `payload.until` (null: until the contact writes). */
  "thread.snoozed",
  /** A snoozed thread woke: `payload.reason` is `time`, `contact` (the contact wrote) or `by` a person. */
  "thread.woke",
  /** Staff changed the thread's priority or labels: `payload.by` and what changed (`priority`, `labels`). */
  "thread.updated",
  /** A team's SLA target passed unmet: `payload.target` (`first_response` or `resolution`), `teamId`, `dueAt`. */
  "thread.sla_breached",
  /** The contact answered the satisfaction survey: `payload.score` (1–5), `comment`, `teamId`, `agentId`. */
  "thread.survey_answered",
  /** An internal note was added (staff only; never sent to webhooks). */
  "thread.note",
  /** A contact was added by hand or by an import (`payload.by`); a contact who writes first appears with `message.received`. */
  "contact.created",
  "contact.updated",
  /**
   * Two contacts were found to be one person and merged (an engine linked a LID to a phone, or
   * staff merged them): the event's contact is the one that remains; `payload.mergedContactId`
   * is the one that is gone.
   */
  "contact.merged",
  "rule.fired",
  /** A rule's `emit_event` action: `payload.name` and `payload.data`. */
  "rule.custom_event",
  /** An AI reply was written (or fell back): provider, model, latency, tokens, outcome, reason. */
  "ai.replied",
  /** An inbound message's file is in the media store: `payload.kind`, `sha256`, `mimeType` (the real one), `size`. */
  "media.stored",
  /**
   * An inbound message's file could not be stored, for good: `payload.kind`, `error` (too_large,
   * type_mismatch, unsupported_type, empty, download_failed, unavailable) and `detail` (English).
   * The message itself is kept and processed.
   */
  "media.failed",
  "session.status",
  /** Retention removed media files not used for the days set in Settings: `payload.files`, `payload.bytes` freed, `payload.olderThanDays`. */
  "media.pruned",
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

/** Appends several domain events in one statement (a no-op for none). */
export async function recordEvents(tx: TDbOrTx, list: readonly TEventInput[]): Promise<void> {
  if (list.length === 0) return;
  await tx.insert(events).values(list.map((event) => ({ ...event, payload: event.payload ?? {} })));
}

/** The NOTIFY channel the events trigger announces on; a notification is a JSON array of these (one per INSERT statement, chunked). */
export const EVENTS_CHANNEL = "switchboard_events";
export type TEventNotice = {
  id: string;
  type: TEventType | TLiveEventType;
  sessionId: string | null;
  contactId: string | null;
  threadId: string | null;
  messageId: string | null;
  at: string;
  /** `contact.presence` only: what the contact is doing, and when they were last seen if WhatsApp said. */
  presence?: { state: TPresenceState; lastSeen: string | null };
  /** `notification.created` only: the one user it is for (no other stream gets it). */
  userId?: string;
  /** `user.availability` only: whose availability changed, and to what. */
  availability?: { userId: string; state: (typeof AVAILABILITIES)[number] };
};

/**
 * Events that exist only live: each web process relays them to the open streams (server/events/hub.ts)
 * and forgets them. They are never in `events`, so never in the REST API's event list nor sent
 * to webhooks (which read stored events, of `WEBHOOK_EVENT_TYPES`).
 * - `contact.presence`: a watched contact is typing, recording audio, online, paused or offline
 *   (server/sessions/presence.ts); `presence` holds the state.
 * - `notification.created`: a notification for `userId` was stored (server/notifications); only
 *   that user's streams get it, and it carries no content (the bell reads its list).
 * - `user.availability`: a person became online, away or offline (by hand, or away by the
 *   `team.sweep` cron; server/teams/availability.ts); `availability` holds who and the state.
 */
export const LIVE_EVENT_TYPES = ["contact.presence", "notification.created", "user.availability"] as const;
export type TLiveEventType = (typeof LIVE_EVENT_TYPES)[number];
