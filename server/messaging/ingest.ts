import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { contactIdentities, contacts, events, messages } from "~/db/schema";
import { addressOf, parseAddress, preferredIdentity, type TIdentity } from "~/server/contacts/address";
import { isIdentityRace, linkIdentities } from "~/server/contacts/merge";
import { inboundThreadsUpsert, inboundWokeEvents } from "~/server/conversations/state";
import { recordEvent } from "~/server/events/events";
import { enqueueMany, enqueueMediaReceives } from "~/server/jobs/boss";
import { createGroupCommit } from "~/server/lib/group-commit";
import { repairStrings } from "~/server/lib/storable-text";
import { mediaOf } from "~/server/messages/content";
import { jsonRecordset } from "~/server/lib/sql";
import { metrics } from "~/server/metrics/metrics";
import {
  LATE_AFTER_MS,
  mediaMetaOf,
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

type TValidInbound = {
  index: number;
  message: TInboundMessage;
  /** Who sent it (from `from`), and their other identities the engine reported (`otherIdentities`). */
  sender: TIdentity;
  others: TIdentity[];
  content: TSanitizedContent;
  at: Date;
};

/** How many times a batch is tried again when a contact merge changed its contacts under it. */
const MERGE_RACE_RETRIES = 3;

/**
 * The sender's other identities as the engine reported them (`identity.phone`, `.lid`, `.bsuid`,
 * `.username`), the usable ones, in the order ingest looks a sender up by them: phone, LID,
 * BSUID, then the username (attached, never looked up by). One of the sender's own kind is
 * left out (the message's `from` says who sent it).
 */
export function otherIdentities(sender: TIdentity, given: TInboundMessage["identity"]): TIdentity[] {
  if (!given) return [];
  const candidates = [
    given.phone ? parseAddress(given.phone) : null,
    given.lid ? parseAddress(given.lid.includes("@") ? given.lid : `${given.lid}@lid`) : null,
    given.bsuid ? parseAddress(`bsuid:${given.bsuid.replace(/^bsuid:/, "")}`) : null,
    given.username ? parseAddress(`username:${given.username.replace(/^(username:|@)/, "").toLowerCase()}`) : null,
  ];
  const kinds = ["phone", "lid", "bsuid", "username"] as const;
  return candidates.filter(
    (candidate, index): candidate is TIdentity =>
      candidate !== null && candidate.kind === kinds[index] && candidate.kind !== sender.kind,
  );
}

/**
 * Stores a batch of inbound messages, each once, in ONE transaction with one statement per
 * table: upsert the contacts, open (or reopen) their threads, insert the messages (a transport
 * id already stored, or repeated in the batch, is a duplicate and a no-op), record
 * `message.received` and enqueue `message.process` for each stored one (or, for a message whose
 * file the engine is still to fetch, a job on its session's media queue, `media.<sessionId>`).
 * Rows are written in key order, so concurrent batches never deadlock. A message that cannot
 * be stored (not from a phone number, malformed) is recorded as a `message.rejected` event with
 * the reason: never lost silently. Results are in the order of `raws`.
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
    const sender = parseAddress(message.from);
    if (!sender) {
      results[index] = await reject(
        db,
        message,
        `sender "${message.from.slice(0, 60)}" is not a phone number or a LID`,
      );
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
      sender,
      others: otherIdentities(sender, message.identity),
      content: {
        ...content,
        flags: [
          ...new Set([
            ...repairs,
            ...content.flags,
            ...(message.sentAt && Date.now() - message.sentAt.getTime() > LATE_AFTER_MS ? ["late"] : []),
          ]),
        ],
      },
      at: message.sentAt ?? new Date(),
    });
  }
  if (valid.length === 0) return results;

  const input = valid.map((item, ord) => ({
    ord,
    id: randomUUID(),
    session_id: item.message.sessionId,
    id_kind: item.sender.kind,
    id_value: item.sender.value,
    alt_kinds: item.others.map((identity) => identity.kind),
    alt_values: item.others.map((identity) => identity.value),
    // A new contact's primary address: the phone when the message names one.
    address: addressOf(
      preferredIdentity(item.sender, item.others.find((identity) => identity.kind === "phone") ?? null),
    ),
    wa_message_id: item.message.waMessageId,
    name: item.message.pushName ?? null,
    at: item.at.toISOString(),
    type: item.content.type,
    body: item.content.body,
    media: item.message.media ?? mediaMetaOf(item.content.content),
    content: item.content.content,
    flags: item.content.flags,
  }));
  const links = new Map<string, { sessionId: string; lid: string; phone: string }>();
  for (let attempt = 0; ; attempt++) {
    try {
      links.clear();
      await storeBatch(db, boss, input, valid, results, links);
      break;
    } catch (error) {
      // A contact merge committed while this batch read its contacts (the contact it found is
      // gone, or an identity it was to attach is another contact's now): nothing was kept;
      // the next try reads the merged contacts.
      if (attempt >= MERGE_RACE_RETRIES || !isIdentityRace(error)) throw error;
    }
  }
  for (const item of valid) {
    if (results[item.index]?.status === "stored")
      metrics.messagesIn.inc({ session: item.message.sessionId, kind: item.content.type });
  }
  // The sender's two identities belong to two contacts: they are one person, so merge them
  // (after the commit: the message is safe whatever happens here; a failure is retried by the
  // next message that names both).
  for (const link of links.values()) {
    await linkIdentities(db, boss, link.sessionId, { lid: link.lid, phone: link.phone }, "message").catch(
      () => undefined,
    );
  }
  return results;
}

type TInputRow = {
  ord: number;
  id: string;
  session_id: string;
  id_kind: string;
  id_value: string;
  alt_kinds: string[];
  alt_values: string[];
  address: string;
  wa_message_id: string;
  name: string | null;
  at: string;
  type: string;
  body: string;
  media: unknown;
  content: unknown;
  flags: string[];
};

/** ingestInboundBatch's transaction: one statement and one pg-boss insert. */
async function storeBatch(
  db: TDb,
  boss: PgBoss,
  input: TInputRow[],
  valid: TValidInbound[],
  results: TIngestResult[],
  links: Map<string, { sessionId: string; lid: string; phone: string }>,
) {
  await db.transaction(async (tx) => {
    // One statement: copies stored before are no-ops that touch nothing; each sender is found
    // through their identities (the message's own, else the others the engine reported, in order) or
    // becomes a new contact; contacts and threads are upserted in key order (concurrent batches
    // never deadlock); identities not known yet are attached to the contact; messages take their
    // `seq` in arrival order; a copy stored by a concurrent batch since is left out by the conflict.
    const { rows } = await tx.execute<{ id: string; thread_id: string; contact_id: string; link: boolean }>(sql`
      with input as (
        select * from ${jsonRecordset(
          input,
          `ord int, id uuid, session_id uuid, id_kind contact_identity_kind, id_value text,
          alt_kinds contact_identity_kind[], alt_values text[], address text, wa_message_id text, name text,
          at timestamptz, type text, body text, media jsonb, content jsonb, flags text[]`,
        )} x
      ), fresh as (
        select * from input i
        where not exists (
          select 1 from ${messages} m where m.session_id = i.session_id and m.wa_message_id = i.wa_message_id)
      ), senders as (
        -- Per sender, the other identities of its first message that reported any.
        select distinct on (session_id, id_kind, id_value) session_id, id_kind, id_value, alt_kinds, alt_values, address
        from fresh order by session_id, id_kind, id_value, cardinality(alt_kinds) = 0, ord
      ), resolved as (
        select s.*, coalesce(c1.wa_id, c2.wa_id, s.address) as target, c1.id as holder, c2.id as alt_holder
        from senders s
        left join ${contactIdentities} i1
          on i1.session_id = s.session_id and i1.kind = s.id_kind and i1.value = s.id_value
        left join ${contacts} c1 on c1.id = i1.contact_id
        -- The first other identity (in the order given) that names a contact; never a username.
        left join lateral (
          select c.id, c.wa_id
          from unnest(s.alt_kinds, s.alt_values) with ordinality a(kind, value, n)
          join ${contactIdentities} i2 on i2.session_id = s.session_id and i2.kind = a.kind and i2.value = a.value
          join ${contacts} c on c.id = i2.contact_id
          where a.kind <> 'username'
          order by a.n limit 1
        ) c2 on true
      ), contact_rows as (
        select f.session_id, r.target as wa_id,
          (array_agg(f.name order by f.ord) filter (where f.name is not null))[1] as name, max(f.at) as at
        from fresh f join resolved r on r.session_id = f.session_id and r.id_kind = f.id_kind and r.id_value = f.id_value
        group by f.session_id, r.target
      ), upserted_contacts as (
        insert into ${contacts} (session_id, wa_id, name, last_interaction_at)
        select session_id, wa_id, name, at from contact_rows order by session_id, wa_id
        on conflict (session_id, wa_id) do update set
          last_interaction_at = excluded.last_interaction_at,
          -- A name typed by staff wins over the sender's WhatsApp display name.
          name = coalesce(${contacts}.name, excluded.name)
        returning id, session_id, wa_id, last_interaction_at
      ), attached as (
        -- Identities not known yet join the contact (a new contact's own address is attached
        -- by the contacts trigger too, which refuses it if another contact took it meanwhile).
        insert into ${contactIdentities} (session_id, contact_id, kind, value, source)
        select distinct r.session_id, c.id, k.kind, k.value, 'message'
        from resolved r
        join upserted_contacts c on c.session_id = r.session_id and c.wa_id = r.target
        cross join lateral (
          select r.id_kind, r.id_value
          union all
          select a.kind, a.value from unnest(r.alt_kinds, r.alt_values) a(kind, value)
        ) k(kind, value)
        where not exists (
          select 1 from ${contactIdentities} h where h.session_id = r.session_id and h.kind = k.kind and h.value = k.value)
        on conflict (session_id, kind, value) do nothing
      ), upserted_threads as (
        ${inboundThreadsUpsert(sql`upserted_contacts`)}
      ), woke as (
        ${inboundWokeEvents(sql`upserted_contacts`)}
      ), routed as (
        select f.*, t.id as thread_id, t.contact_id,
          (r.holder is not null and r.alt_holder is not null and r.holder <> r.alt_holder) as link
        from fresh f
        join resolved r on r.session_id = f.session_id and r.id_kind = f.id_kind and r.id_value = f.id_value
        join upserted_contacts c on c.session_id = r.session_id and c.wa_id = r.target
        join upserted_threads t on t.contact_id = c.id
      ), inserted as (
        insert into ${messages}
          (id, session_id, thread_id, direction, wa_message_id, type, body, media, content, flags, source, status, created_at)
        select id, session_id, thread_id, 'in', wa_message_id, type, body, media, content, flags, 'contact', 'received', at
        from routed
        order by ord
        on conflict (session_id, wa_message_id) do nothing
        returning id, thread_id
      ), received as (
        insert into ${events} (type, session_id, contact_id, thread_id, message_id, payload)
        select 'message.received', f.session_id, f.contact_id, i.thread_id, i.id,
          jsonb_build_object('flags', to_jsonb(f.flags), 'type', f.type)
        from inserted i join routed f on f.id = i.id
      )
      select i.id, i.thread_id, f.contact_id, f.link from inserted i join routed f on f.id = i.id`);
    // A message whose file is still to be fetched goes to its session's media queue first (the
    // media job queues message.process once the file is stored or has failed for good).
    const awaitingFile = new Set(
      input.flatMap((row, ord) => (mediaOf(valid[ord]!.content.content)?.state === "pending" ? [row.id] : [])),
    );
    await enqueueMany(
      boss,
      "message.process",
      rows.flatMap((row) => (awaitingFile.has(row.id) ? [] : [{ messageId: row.id }])),
      { tx },
    );
    if (awaitingFile.size > 0) {
      const sessionOf = new Map(input.map((row) => [row.id, row.session_id]));
      await enqueueMediaReceives(
        boss,
        rows.flatMap((row) =>
          awaitingFile.has(row.id) ? [{ messageId: row.id, sessionId: sessionOf.get(row.id)! }] : [],
        ),
        tx,
      );
    }
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const [ord, item] of valid.entries()) {
      const row = stored.get(input[ord]!.id);
      results[item.index] = row
        ? { status: "stored", messageId: row.id, threadId: row.thread_id, contactId: row.contact_id }
        : { status: "duplicate" };
      if (row?.link) {
        const all = [item.sender, ...item.others];
        const [lid, phone] = [all.find((one) => one.kind === "lid"), all.find((one) => one.kind === "phone")];
        if (lid && phone) {
          links.set(`${item.message.sessionId}|${lid.value}`, {
            sessionId: item.message.sessionId,
            lid: lid.value,
            phone: phone.value,
          });
        }
      }
    }
  });
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
