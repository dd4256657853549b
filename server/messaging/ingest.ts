import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { contacts, events, messages } from "~/db/schema";
import { inboundThreadsUpsert } from "~/server/conversations/state";
import { recordEvent } from "~/server/events/events";
import { enqueueMany } from "~/server/jobs/boss";
import { createGroupCommit } from "~/server/lib/group-commit";
import { repairStrings } from "~/server/lib/storable-text";
import { jsonRecordset } from "~/server/lib/sql";
import {
  mediaMetaOf,
  normalizeWaId,
  sanitizeContent,
  type TInboundMessage,
  type TSanitizedContent,
  ZInboundMessage,
} from "./inbound-message";

export type TIngestResult =
  | { status: "stored"; messageId: string; threadId: string; contactId: string }
  | { status: "duplicate" }
  | { status: "rejected"; reason: string };

/**
 * Stores one inbound message, once (see ingestInboundBatch). Nothing may acknowledge the
 * message to the transport before this resolves.
 */
export async function ingestInbound(db: TDb, boss: PgBoss, raw: unknown): Promise<TIngestResult> {
  const [result] = await ingestInboundBatch(db, boss, [raw]);
  return result!;
}

type TValidInbound = { index: number; message: TInboundMessage; waId: string; content: TSanitizedContent; at: Date };

/**
 * Stores a batch of inbound messages, each once, in ONE transaction with one statement per
 * table: upsert the contacts, open (or reopen) their threads, insert the messages (a transport
 * id already stored, or repeated in the batch, is a duplicate and a no-op), record
 * `message.received` and enqueue `message.process` for each stored one. Rows are written in
 * key order, so concurrent batches never deadlock. A message that cannot be stored (not from a
 * phone number, malformed) is recorded as a `message.rejected` event with the reason: never
 * lost silently. Results are in the order of `raws`.
 */
export async function ingestInboundBatch(db: TDb, boss: PgBoss, raws: readonly unknown[]): Promise<TIngestResult[]> {
  const results: TIngestResult[] = new Array<TIngestResult>(raws.length);
  const valid: TValidInbound[] = [];
  const keys = new Set<string>();
  for (const [index, given] of raws.entries()) {
    // Every field WhatsApp delivers (the display name, a file name, the body…) is made storable
    // first: a NUL or a lone surrogate anywhere would fail the whole batch's transaction.
    const { value: raw, repairs } = repairStrings(given);
    const parsed = ZInboundMessage.safeParse(raw);
    if (!parsed.success) {
      results[index] = await reject(db, raw, `malformed message: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      continue;
    }
    const message = parsed.data;
    const waId = normalizeWaId(message.from);
    if (!waId) {
      results[index] = await reject(db, message, `sender "${message.from.slice(0, 60)}" is not a phone number`);
      continue;
    }
    const key = `${message.sessionId}|${message.waMessageId}`;
    if (keys.has(key)) {
      results[index] = { status: "duplicate" };
      continue;
    }
    keys.add(key);
    const content = sanitizeContent(message.type, message.body, message);
    valid.push({
      index,
      message,
      waId,
      content: { ...content, flags: [...new Set([...repairs, ...content.flags])] },
      at: message.sentAt ?? new Date(),
    });
  }
  if (valid.length === 0) return results;

  const input = valid.map((item, ord) => ({
    ord,
    id: randomUUID(),
    session_id: item.message.sessionId,
    wa_id: item.waId,
    wa_message_id: item.message.waMessageId,
    name: item.message.pushName ?? null,
    at: item.at.toISOString(),
    type: item.content.type,
    body: item.content.body,
    media: item.message.media ?? mediaMetaOf(item.content.content),
    content: item.content.content,
    flags: item.content.flags,
  }));
  await db.transaction(async (tx) => {
    // One statement: copies stored before are no-ops that touch nothing; contacts and threads
    // are upserted in key order (concurrent batches never deadlock); messages take their `seq`
    // in arrival order; a copy stored by a concurrent batch since is left out by the conflict.
    const { rows } = await tx.execute<{ id: string; thread_id: string; contact_id: string }>(sql`
      with input as (
        select * from ${jsonRecordset(
          input,
          `ord int, id uuid, session_id uuid, wa_id text, wa_message_id text, name text, at timestamptz,
          type text, body text, media jsonb, content jsonb, flags text[]`,
        )} x
      ), fresh as (
        select * from input i
        where not exists (
          select 1 from ${messages} m where m.session_id = i.session_id and m.wa_message_id = i.wa_message_id)
      ), contact_rows as (
        select session_id, wa_id, (array_agg(name order by ord) filter (where name is not null))[1] as name,
          max(at) as at
        from fresh group by session_id, wa_id
      ), upserted_contacts as (
        insert into ${contacts} (session_id, wa_id, name, last_interaction_at)
        select session_id, wa_id, name, at from contact_rows order by session_id, wa_id
        on conflict (session_id, wa_id) do update set
          last_interaction_at = excluded.last_interaction_at,
          -- A name typed by staff wins over the sender's WhatsApp display name.
          name = coalesce(${contacts}.name, excluded.name)
        returning id, session_id, wa_id, last_interaction_at
      ), upserted_threads as (
        ${inboundThreadsUpsert(sql`upserted_contacts`)}
      ), inserted as (
        insert into ${messages}
          (id, session_id, thread_id, direction, wa_message_id, type, body, media, content, flags, source, status, created_at)
        select f.id, f.session_id, t.id, 'in', f.wa_message_id, f.type, f.body, f.media, f.content, f.flags, 'contact',
          'received', f.at
        from fresh f
        join upserted_contacts c on c.session_id = f.session_id and c.wa_id = f.wa_id
        join upserted_threads t on t.contact_id = c.id
        order by f.ord
        on conflict (session_id, wa_message_id) do nothing
        returning id, thread_id
      ), received as (
        insert into ${events} (type, session_id, contact_id, thread_id, message_id, payload)
        select 'message.received', f.session_id, t.contact_id, i.thread_id, i.id,
          jsonb_build_object('flags', to_jsonb(f.flags), 'type', f.type)
        from inserted i join fresh f on f.id = i.id join upserted_threads t on t.id = i.thread_id
      )
      select i.id, i.thread_id, t.contact_id from inserted i join upserted_threads t on t.id = i.thread_id`);
    await enqueueMany(
      boss,
      "message.process",
      rows.map((row) => ({ messageId: row.id })),
      { tx },
    );
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const [ord, item] of valid.entries()) {
      const row = stored.get(input[ord]!.id);
      results[item.index] = row
        ? { status: "stored", messageId: row.id, threadId: row.thread_id, contactId: row.contact_id }
        : { status: "duplicate" };
    }
  });
  return results;
}

/**
 * Ingest for a transport that hands over messages one at a time: messages arriving while a
 * batch is being stored are stored together in the next one (group commit), so a burst costs a
 * few transactions instead of one each, and a lone message waits for nobody.
 */
export function createInboundIngestor(db: TDb, boss: PgBoss, options: { maxBatch?: number; parallel?: number } = {}) {
  const group = createGroupCommit((raws: unknown[]) => ingestInboundBatch(db, boss, raws), {
    maxBatch: options.maxBatch ?? 50,
    parallel: options.parallel ?? 2,
  });
  return { ingest: (raw: unknown): Promise<TIngestResult> => group.submit(raw) };
}

async function reject(db: TDb, raw: unknown, reason: string): Promise<TIngestResult> {
  const sessionId = (raw as { sessionId?: unknown } | null)?.sessionId;
  await recordEvent(db, {
    type: "message.rejected",
    sessionId: typeof sessionId === "string" && /^[0-9a-f-]{36}$/i.test(sessionId) ? sessionId : null,
    payload: {
      reason,
      message: JSON.parse(
        JSON.stringify(raw ?? null, (_key, value: unknown) =>
          typeof value === "string" ? value.toWellFormed().replaceAll("\u0000", "") : value,
        ),
      ) as unknown,
    },
  });
  return { status: "rejected", reason };
}
