import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDbOrTx, TTx } from "~/db/client";
import { analyticsResponses, events, messages, threads, type MESSAGE_SOURCES } from "~/db/schema";
import { enqueueSends } from "~/server/jobs/boss";
import { jsonRecordset } from "~/server/lib/sql";
import { textContent, typeOfKind, type TMessageContent } from "~/server/messages/content";

/** Who writes an outbound message: everything but the contact. */
export type TOutboundSource = Exclude<(typeof MESSAGE_SOURCES)[number], "contact">;

/**
 * One outbound message, whatever produced it (a rule, the AI, an agent, the REST API, a person
 * on the linked phone). THE shape every producer fills in: a new field of messages (the typed
 * content) is one more optional field here and one more column in `queueOutbound`'s insert.
 */
export type TOutboundItem = {
  /** Chosen by the caller when it must refer to the message before it is stored; else random. */
  id?: string;
  sessionId: string;
  threadId: string;
  contactId: string | null;
  body: string;
  /** What it carries (server/messages/content.ts); a text of `body` when not given. */
  content?: TMessageContent;
  source: TOutboundSource;
  ruleId?: string | null;
  ruleVersion?: number | null;
  /** The inbound message a bot reply answers. */
  replyToMessageId?: string | null;
  /** The person who wrote it (an agent's reply). */
  authorUserId?: string | null;
  aiLatencyMs?: number | null;
  /** What was repaired to store it (`invalid_utf16`…), as for inbound messages. */
  flags?: string[];
  /** The payload of its `message.queued` (or `message.sent`) event. */
  event?: Record<string, unknown>;
  /**
   * Already sent, by someone else (typed on the linked phone): stored as `sent` at `at` with
   * the transport's id, recorded as `message.sent`, no send job. A copy already stored (same
   * transport id) is a no-op.
   */
  sent?: { waMessageId: string; at: Date };
  /**
   * An automatic notice, not an answer (a hand-off's acknowledgement to the contact): the
   * contact still waits for a person, so it neither clears `awaiting_since` nor counts as a
   * response time.
   */
  notice?: boolean;
};

/**
 * Who answered a waiting contact, for the response-time figures and the conversation's
 * waiting-since: the bot (rules, AI), a person (an agent, the phone), or nobody (the API starts
 * a conversation; it answers nothing).
 */
function responderOf(source: TOutboundSource): "bot" | "human" | null {
  if (source === "rule" || source === "ai" || source === "flow") return "bot";
  if (source === "agent" || source === "phone") return "human";
  return null;
}

/**
 * THE entry point for outbound messages: stores them (in the given order, so `seq` keeps it)
 * as `queued` — or `sent` for messages already sent elsewhere —, records `message.queued`
 * (`message.sent`), notes the answer to a waiting contact (response time, from the
 * conversation's `awaiting_since`, which it clears; a person's reply also restarts the idle
 * handback's clock), all in ONE statement, then enqueues the send jobs in the same transaction.
 * Returns the messages stored, in the given order (a phone copy stored before is left out).
 * `options` lets `message.process` write the rest of its decisions in the same statement.
 */
export async function queueOutbound(
  tx: TTx,
  boss: PgBoss,
  items: readonly TOutboundItem[],
  options: TOutboundOptions = {},
): Promise<TQueuedOutbound[]> {
  if (items.length === 0 && !options.also) return [];
  const rows = toRows(items);
  const stored = new Map((await insertOutbound(tx, rows, options)).map((row) => [row.id, Number(row.seq)]));
  await enqueueSends(
    boss,
    rows
      .filter((row) => row.sent_at === null && stored.has(row.id))
      .map((row) => ({ id: row.id, sessionId: row.session_id, threadId: row.thread_id })),
    tx,
  );
  return rows.flatMap((row) => {
    const seq = stored.get(row.id);
    return seq === undefined ? [] : [{ id: row.id, seq }];
  });
}

/**
 * `queueOutbound` for messages someone else already sent (typed on the linked phone): every
 * item has `sent`, so no send job is made and no pg-boss is needed.
 */
export async function recordSentOutbound(
  tx: TTx,
  items: readonly (TOutboundItem & { sent: NonNullable<TOutboundItem["sent"]> })[],
): Promise<TQueuedOutbound[]> {
  if (items.length === 0) return [];
  const inserted = await insertOutbound(tx, toRows(items));
  return inserted.map((row) => ({ id: row.id, seq: Number(row.seq) }));
}

function toRows(items: readonly TOutboundItem[]): TOutboundRow[] {
  return items.map((item, ord) => ({
    ord,
    id: item.id ?? randomUUID(),
    session_id: item.sessionId,
    thread_id: item.threadId,
    contact_id: item.contactId,
    type: typeOfKind(item.content?.kind ?? "text"),
    body: item.body,
    content: item.content ?? textContent(item.body),
    flags: item.flags ?? [],
    source: item.source,
    rule_id: item.ruleId ?? null,
    rule_version: item.ruleVersion ?? null,
    reply_to_message_id: item.replyToMessageId ?? null,
    author_user_id: item.authorUserId ?? null,
    ai_latency_ms: item.aiLatencyMs ?? null,
    wa_message_id: item.sent?.waMessageId ?? null,
    sent_at: item.sent?.at.toISOString() ?? null,
    payload: item.event ?? {},
    responder: item.notice ? null : responderOf(item.source),
  }));
}

export type TOutboundOptions = {
  /**
   * The conversations' side of the statement, instead of the plain answer (who still waits,
   * the idle clock): `message.process` passes `decidedThreadsUpdate`, which writes everything
   * it decided for each conversation in the same single update of its row. It gets the
   * relation `out_answering` `(thread_id, by_person)` of the conversations answered here.
   */
  threads?: (answering: SQL) => SQL;
  /** More CTEs (`name as (…), …`) written by the same statement: the caller's other records of the same decision. */
  also?: SQL;
};

/** A message `queueOutbound` stored: its id and its place in the order of decisions. */
export type TQueuedOutbound = { id: string; seq: number };

/** `queueOutbound` for one message: the message, or null when it was a copy stored before. */
export async function queueOutboundOne(tx: TTx, boss: PgBoss, item: TOutboundItem): Promise<TQueuedOutbound | null> {
  const [stored] = await queueOutbound(tx, boss, [item]);
  return stored ?? null;
}

type TOutboundRow = {
  ord: number;
  id: string;
  session_id: string;
  thread_id: string;
  contact_id: string | null;
  type: string;
  body: string;
  content: TMessageContent;
  flags: string[];
  source: TOutboundSource;
  rule_id: string | null;
  rule_version: number | null;
  reply_to_message_id: string | null;
  author_user_id: string | null;
  ai_latency_ms: number | null;
  wa_message_id: string | null;
  sent_at: string | null;
  payload: Record<string, unknown>;
  responder: "bot" | "human" | null;
};

async function insertOutbound(tx: TDbOrTx, rows: TOutboundRow[], options: TOutboundOptions = {}) {
  const answering = sql.raw("out_answering");
  const { rows: inserted } = await tx.execute<{ id: string; seq: string }>(sql`
    with out_input as (
      select * from ${jsonRecordset(
        rows,
        `ord int, id uuid, session_id uuid, thread_id uuid, contact_id uuid, type text, body text, content jsonb,
        flags text[], source text,
        rule_id uuid, rule_version int, reply_to_message_id uuid, author_user_id uuid, ai_latency_ms int,
        wa_message_id text, sent_at timestamptz, payload jsonb, responder text`,
      )} x
    ), out_inserted as (
      insert into ${messages}
        (id, session_id, thread_id, direction, wa_message_id, type, body, content, flags, source, rule_id, rule_version,
        reply_to_message_id, author_user_id, ai_latency_ms, status, created_at, queued_at, sent_at)
      select id, session_id, thread_id, 'out', wa_message_id, type, body, content, flags, source::message_source, rule_id,
        rule_version, reply_to_message_id, author_user_id, ai_latency_ms,
        case when sent_at is null then 'queued' else 'sent' end::message_status,
        coalesce(sent_at, now()), coalesce(sent_at, now()), sent_at
      from out_input order by ord
      on conflict (session_id, wa_message_id) do nothing
      returning id, seq
    ), out_stored as (
      select i.* from out_input i join out_inserted using (id)
    ), out_recorded as (
      insert into ${events} (type, session_id, contact_id, thread_id, message_id, payload)
      select case when sent_at is null then 'message.queued' else 'message.sent' end,
        session_id, contact_id, thread_id, id, payload
      from out_stored order by ord
    ), out_answering as (
      -- The first answer of each conversation in this statement; a person's wins the idle clock.
      select distinct on (thread_id) thread_id, session_id, responder, author_user_id,
        bool_or(responder = 'human') over (partition by thread_id) as by_person
      from out_stored where responder is not null
      order by thread_id, ord
    ), out_responded as (
      -- How long the contact waited (the pre-update awaiting_since: every CTE sees one snapshot).
      insert into ${analyticsResponses} (thread_id, session_id, responder, user_id, waiting_since, responded_at, response_ms)
      select t.id, a.session_id, a.responder, a.author_user_id, t.awaiting_since, now(),
        -- An int holds 24.8 days of milliseconds: a longer wait counts as that (a reply to a
        -- month-old message must not fail its whole batch, over and over).
        least(2147483647, greatest(0, round(extract(epoch from (now() - t.awaiting_since)) * 1000)))::int
      from out_answering a join ${threads} t on t.id = a.thread_id
      where t.awaiting_since is not null
    ), out_threads as (
      ${options.threads ? options.threads(answering) : answeredThreadsUpdate(answering)}
    )${options.also ? sql`, ${options.also}` : sql``}
    select id, seq from out_inserted`);
  return inserted;
}

/**
 * The conversation side of an answer, as a statement for a CTE: nobody is waiting any more,
 * and a person's answer restarts the idle handback's clock and, the first since the hand-off,
 * stops the SLA's first-response clock (`first_human_reply_at`). `answering` names a relation
 * of `(thread_id uuid, by_person boolean)`.
 */
function answeredThreadsUpdate(answering: SQL): SQL {
  return sql`
    update ${threads} t set awaiting_since = null,
      human_active_at = case when a.by_person then now() else t.human_active_at end,
      first_human_reply_at = case when a.by_person then coalesce(t.first_human_reply_at, now())
        else t.first_human_reply_at end,
      updated_at = case when a.by_person then now() else t.updated_at end
    from ${answering} a
    where t.id = a.thread_id and (t.awaiting_since is not null or a.by_person)`;
}

/**
 * Puts a failed message back on its session's send queue with all its tries (`message.queued`
 * with `payload`), in one statement plus its job. Null when the message is not failed (any
 * more): nothing to retry.
 */
export async function requeueFailed(
  tx: TTx,
  boss: PgBoss,
  messageId: string,
  payload: Record<string, unknown>,
): Promise<string | null> {
  const { rows } = await tx.execute<{ id: string; session_id: string; thread_id: string }>(sql`
    with requeued as (
      update ${messages} set status = 'queued', error = null, failed_at = null, queued_at = now()
      where id = ${messageId} and status = 'failed' and direction = 'out'
      returning id, session_id, thread_id
    ), recorded as (
      insert into ${events} (type, session_id, thread_id, message_id, payload)
      select 'message.queued', session_id, thread_id, id, ${JSON.stringify(payload)}::jsonb from requeued
    )
    select id, session_id, thread_id from requeued`);
  const [message] = rows;
  if (!message) return null;
  await enqueueSends(boss, [{ id: message.id, sessionId: message.session_id, threadId: message.thread_id }], tx);
  return message.id;
}
