import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, events, messages, threads } from "~/db/schema";
import { pgArray } from "~/server/lib/sql";
import { contentOfRow } from "~/server/messages/content";
import { webhookDetails } from "./payloads";

/**
 * The event types webhooks carry, and only these: internal ones (a queued reply, a note, an AI
 * call) stay inside. The SQL fan-out trigger has the same list (migration 0031,
 * `switchboard_webhook_event_types()`; a test keeps them equal).
 */
export const WEBHOOK_EVENT_TYPES = [
  "message.received",
  "message.sent",
  "message.status",
  "message.failed",
  "thread.handoff",
  "thread.assigned",
  "thread.released",
  "thread.closed",
  "thread.reopened",
  "thread.bot_paused",
  "thread.sla_breached",
  "thread.survey_answered",
  "rule.fired",
  "rule.custom_event",
  "contact.created",
  "contact.updated",
  "contact.merged",
  "session.status",
  "media.stored",
  "media.failed",
] as const;
export type TWebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The "send test event" button's type: delivered to that one endpoint only. */
export const TEST_EVENT_TYPE = "webhook.test";

/** Version of every payload's shape; bumped (with the docs) on an incompatible change. */
export const PAYLOAD_VERSION = 1;

export type TWebhookPayload = {
  id: string;
  type: string;
  version: number;
  timestamp: string;
  data: Record<string, unknown>;
};

/** A message as the payload carries it: its content checked (and read from type and body on a row that has none). */
function withContent(message: Record<string, unknown>) {
  return {
    ...message,
    content: contentOfRow({ content: message.content, type: String(message.type), body: String(message.body) }),
  };
}

type TEventRow = {
  id: string;
  type: string;
  at: string;
  session_id: string | null;
  thread_id: string | null;
  payload: Record<string, unknown>;
  message: Record<string, unknown> | null;
  contact: Record<string, unknown> | null;
  thread: Record<string, unknown> | null;
};

/**
 * The payloads of events, built once per event for every endpoint (docs/webhooks.md): the
 * envelope (`id` = the event id, `type`, `version`, `timestamp`) and `data` with the message,
 * contact and thread it is about, as they are when it is dispatched, and the event's details in
 * the one shape of its type (`webhookDetails`, server/webhooks/payloads.ts), whichever path wrote it.
 */
export async function buildWebhookPayloads(db: TDbOrTx, eventIds: readonly string[]) {
  if (eventIds.length === 0) return new Map<string, TWebhookPayload>();
  const { rows } = await db.execute<TEventRow>(sql`
    select e.id, e.type, e.at, e.session_id, e.thread_id, e.payload,
      case when m.id is null then null else json_build_object(
        'id', m.id, 'direction', m.direction, 'type', m.type, 'body', m.body, 'content', m.content, 'source', m.source,
        'status', m.status, 'error', m.error, 'waMessageId', m.wa_message_id, 'ruleId', m.rule_id,
        'ruleVersion', m.rule_version, 'createdAt', m.created_at, 'sentAt', m.sent_at,
        'deliveredAt', m.delivered_at, 'readAt', m.read_at, 'failedAt', m.failed_at) end as message,
      case when c.id is null then null else json_build_object(
        'id', c.id, 'phone', c.wa_id, 'name', c.name, 'relationship', c.relationship, 'priority', c.priority,
        'tags', c.tags, 'optedOut', c.opted_out, 'blocked', c.blocked) end as contact,
      case when t.id is null then null else json_build_object(
        'id', t.id, 'mode', t.mode, 'assignedUserId', t.assigned_user_id) end as thread
    from ${events} e
    left join ${messages} m on m.id = e.message_id
    left join ${threads} t on t.id = coalesce(e.thread_id, m.thread_id)
    left join ${contacts} c on c.id = coalesce(e.contact_id, t.contact_id)
    where e.id = any(${pgArray(eventIds, "uuid")})`);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        type: row.type,
        version: PAYLOAD_VERSION,
        timestamp: new Date(row.at).toISOString(),
        data: {
          sessionId: row.session_id,
          ...(row.message ? { message: withContent(row.message) } : {}),
          ...(row.contact ? { contact: row.contact } : {}),
          ...(row.thread ? { thread: row.thread } : {}),
          details: webhookDetails(row.type, row.payload),
        },
      } satisfies TWebhookPayload,
    ]),
  );
}
