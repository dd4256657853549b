import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import {
  analyticsResponses,
  apiIdempotency,
  auditLog,
  campaignRecipients,
  contactIdentities,
  contacts,
  events,
  flowRuns,
  knowledgeSources,
  mediaAssets,
  mediaObjects,
  messages,
  ruleHits,
  scheduledMessages,
  simulatorDeliveries,
  webhookDeliveries,
} from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { addressOf, parseAddress } from "~/server/contacts/address";
import { eraseConversationsOfContact } from "~/server/conversations/erase";
import { AppError } from "~/server/errors";
import { enqueue } from "~/server/jobs/boss";
import { DEAD_LETTER_QUEUE } from "~/server/jobs/queues";
import { pgArray } from "~/server/lib/sql";
import type { TMediaStore } from "~/server/media/store";

export const ZContactRightsInput = z.object({ contactId: z.uuid("Not a contact id") });
export type TContactRightsInput = z.input<typeof ZContactRightsInput>;

/** An erasure asked for by a person: they typed the contact's name or phone number to confirm. */
export const ZEraseContactInput = ZContactRightsInput.extend({
  confirm: z.string().max(200, "At most 200 characters"),
});
export type TEraseContactInput = z.input<typeof ZEraseContactInput>;

/** The confirmation does not name the contact. */
export const CONFIRM_MISMATCH = "Type the contact's name or phone number exactly to confirm.";

/** Whether `typed` names the contact: their name (case and spaces aside) or their number (digits only). */
export function confirmsContact(typed: string, contact: { name: string | null; waId: string }): boolean {
  const words = (value: string) => value.trim().replace(/\s+/g, " ").toLowerCase();
  const digits = (value: string) => value.replace(/\D/g, "");
  if (contact.name && words(typed) !== "" && words(typed) === words(contact.name)) return true;
  const typedDigits = digits(typed);
  return typedDigits.length >= 6 && typedDigits === digits(contact.waId) && !/[a-z]/i.test(typed);
}

/** `media_objects.deleted_reason` of a file whose last messages were erased, until its bytes are gone. */
export const ERASED_REASON = "erased";

/** What an erasure removed, by kind: what the audit row keeps (counts, never the data). */
export type TErasureCounts = {
  messages: number;
  conversations: number;
  identities: number;
  events: number;
  webhookDeliveries: number;
  campaignRecipients: number;
  scheduledMessages: number;
  flowRuns: number;
  ruleHits: number;
  responseTimes: number;
  simulatorDeliveries: number;
  apiResponses: number;
  jobs: number;
  auditEntriesRedacted: number;
  mediaFiles: number;
  mediaFilesKept: number;
};

export type TErasure = { contactId: string; counts: TErasureCounts };

/** A stored REST/MCP answer about an erased contact, as a retry with its Idempotency-Key gets it again. */
export const ERASED_ANSWER_MESSAGE =
  "This request's answer was removed when the contact it concerned was erased; it is not run again.";
export const ERASED_ANSWER_STATUS = 410;
export const ERASED_ANSWER = {
  status: ERASED_ANSWER_STATUS,
  body: { error: { code: "erased", message: ERASED_ANSWER_MESSAGE } },
} as const;

/** The contact does not exist: never did, or erased already. */
export const NO_SUCH_CONTACT = "This contact does not exist (or was erased already).";

async function count(tx: TTx, statement: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await tx.execute(statement);
  return rows.length;
}

/**
 * Of `keys` (media store keys the erased messages referred to), those nothing else refers to:
 * another message, the media library, a knowledge source, a scheduled message, a kept file's
 * thumbnail. Each media object is stored once per content, so a photo two contacts sent is
 * shared, and only the last reference takes it away.
 */
async function unsharedKeys(tx: TTx, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const list = pgArray(keys, "text");
  const { rows } = await tx.execute<{ key: string }>(sql`
    select k as key from unnest(${list}) k
    except
    -- Through the indexes on a message's file key and thumbnail key (migration 0044).
    select m.content->'media'->>'storageKey' from ${messages} m where (m.content->'media'->>'storageKey') = any(${list})
    except
    select m.content->'media'->>'thumbKey' from ${messages} m where (m.content->'media'->>'thumbKey') = any(${list})
    except
    select sha256 from ${mediaAssets} where sha256 = any(${list})
    except
    select media_sha256 from ${knowledgeSources} where media_sha256 = any(${list})
    except
    select thumb_sha256 from ${mediaObjects}
      where thumb_sha256 = any(${list}) and deleted_at is null and not (sha256 = any(${list}))
    except
    select k from unnest(${list}) k
      where exists (select 1 from ${scheduledMessages} s where s.content::text like '%' || k || '%')`);
  return rows.map((row) => row.key);
}

/**
 * The `message.rejected` events (server/messaging/ingest.ts `reject`) whose raw message came from
 * one of `addresses`: its `from`, read as ingest reads senders (`parseAddress`: `…@c.us`, `+…`,
 * `…@lid`), or exactly as given when it is no address at all.
 */
export async function rejectedEventsFrom(tx: TDbOrTx, addresses: readonly string[]): Promise<string[]> {
  const wanted = new Set(addresses);
  const { rows } = await tx.execute<{ id: string; sender: string | null }>(sql`
    select id, payload->'message'->>'from' as sender from ${events}
    where type = 'message.rejected' and jsonb_typeof(payload->'message'->'from') = 'string'`);
  return rows
    .filter((row) => {
      if (row.sender === null) return false;
      const parsed = parseAddress(row.sender);
      return (
        wanted.has(row.sender) || wanted.has(row.sender.trim()) || (parsed !== null && wanted.has(addressOf(parsed)))
      );
    })
    .map((row) => row.id);
}

/**
 * Deletes the pg-boss jobs (`pgboss.job`; pg-boss 12 has no archive table) whose data mentions one
 * of `addresses` (also a phone number's digits alone, as Meta's webhook JSON and WhatsApp's
 * `…@c.us` write it): finished ones (completed, failed, cancelled) and those in the dead-letter
 * queue not being worked. A job waiting or running stays: it finds nothing once the erasure
 * commits. Returns how many went.
 */
async function eraseFinishedJobs(tx: TTx, addresses: readonly string[]): Promise<number> {
  const { rows: found } = await tx.execute<{ table: string | null }>(
    sql`select to_regclass('pgboss.job')::text as table`,
  );
  if (!found[0]?.table) return 0;
  const digits = addresses.flatMap((address) => (/^\+\d{8,}$/.test(address) ? [address.slice(1)] : []));
  const needles = [...new Set([...addresses, ...digits])].filter((needle) => needle.length >= 6);
  if (needles.length === 0) return 0;
  const { rows } = await tx.execute(sql`
    delete from pgboss.job j
    where (j.state in ('completed', 'failed', 'cancelled')
           or (j.name = ${DEAD_LETTER_QUEUE} and j.state in ('created', 'retry')))
      and exists (select 1 from unnest(${pgArray(needles, "text")}) n where j.data::text like '%' || n || '%')
    returning j.id`);
  return rows.length;
}

/**
 * Marks the media objects of `keys` nothing else refers to as `erased` (in the caller's
 * transaction); `finishErasedMedia` removes their bytes and rows after it commits. Returns how many
 * files were marked and how many stay because something else uses them.
 */
export async function markUnsharedMedia(tx: TTx, keys: readonly string[]): Promise<{ marked: number; kept: number }> {
  const unshared = await unsharedKeys(tx, keys);
  const { rows } = await tx.execute<{ sha256: string }>(sql`
    update ${mediaObjects} set deleted_at = now(), deleted_reason = ${ERASED_REASON}
    where sha256 = any(${pgArray(unshared, "text")})
    returning sha256`);
  // Files (with a row of their own; thumbnails go with theirs) that stay for another use.
  const shared = keys.filter((key) => !unshared.includes(key));
  const { rows: kept } = await tx.execute(
    sql`select sha256 from ${mediaObjects} where sha256 = any(${pgArray(shared, "text")})`,
  );
  return { marked: rows.length, kept: kept.length };
}

/**
 * Erases one contact: everything that identifies them, in one transaction. Their conversations
 * and messages (through server/conversations), identities, events and the webhook deliveries made
 * from them, campaign recipient rows, scheduled messages, flow runs and their steps, rule hits and
 * response times of their conversation, the simulator's copies of what was sent to them, the REST
 * API's stored answers about them (replaced by ERASED_ANSWER, the key kept); the before/after snapshots of audit entries about them are
 * redacted (who did what, and when, stays). Their media files nothing else uses are marked
 * `erased` in the same transaction and removed from the store after it commits
 * (`finishErasedMedia`: here with `store`, or by the `media.erased` job with `boss`; the daily
 * `messages.retention` job finishes any a crash left).
 *
 * Aggregates that do not identify anyone (hourly counts, histograms, daily thread bitmaps, AI
 * usage) stay. Audited as `erase` of `contact` with the contact id and the counts only.
 * docs/data-rights.md says why each table is treated as it is.
 */
export async function eraseContact(
  db: TDb,
  actor: TActor,
  rawInput: TContactRightsInput & { confirm?: string },
  options: {
    /** Given: the files are removed right after the commit. */
    store: TMediaStore | null;
    /** Given: a `media.erased` job, committed with the erasure, removes them (the web leaves it to the worker). */
    boss?: PgBoss;
  },
): Promise<TErasure> {
  const { contactId } = ZContactRightsInput.parse(rawInput);
  const confirm = rawInput.confirm === undefined ? undefined : ZEraseContactInput.parse(rawInput).confirm;
  const erasure = await db.transaction(async (tx) => {
    const [contact] = await tx
      .select({ id: contacts.id, waId: contacts.waId, name: contacts.name, sessionId: contacts.sessionId })
      .from(contacts)
      .where(sql`${contacts.id} = ${contactId}`)
      .for("update");
    if (!contact) throw new AppError("NOT_FOUND", NO_SUCH_CONTACT);
    if (confirm !== undefined && !confirmsContact(confirm, contact))
      throw new AppError("BAD_REQUEST", CONFIRM_MISMATCH, { confirm: CONFIRM_MISMATCH });
    const identities = await tx
      .select({ kind: contactIdentities.kind, value: contactIdentities.value })
      .from(contactIdentities)
      .where(sql`${contactIdentities.contactId} = ${contactId}`);
    const addresses = [...new Set([contact.waId, ...identities.map(addressOf), ...identities.map((i) => i.value)])];

    const scheduled = await count(
      tx,
      sql`delete from ${scheduledMessages} where contact_id = ${contactId} returning id`,
    );
    const recipients = await count(
      tx,
      sql`delete from ${campaignRecipients} where contact_id = ${contactId} returning campaign_id`,
    );
    const runs = await count(
      tx,
      sql`delete from ${flowRuns} where contact_id = ${contactId} or thread_id in
            (select id from threads where contact_id = ${contactId}) returning id`,
    );
    const conversations = await eraseConversationsOfContact(tx, contactId);
    const threadIds = pgArray(conversations.threadIds, "uuid");
    const messageIds = pgArray(conversations.messageIds, "uuid");

    const { rows: eventRows } = await tx.execute<{ id: string }>(sql`
      delete from ${events}
      where contact_id = ${contactId} or thread_id = any(${threadIds}) or message_id = any(${messageIds})
      returning id`);
    // Messages ingest could not store are kept as `message.rejected` events with the raw message
    // (sender, name, text) and no contact: theirs are found by the sender's address.
    const rejected = await rejectedEventsFrom(tx, addresses);
    const { rows: rejectedRows } = await tx.execute<{ id: string }>(
      sql`delete from ${events} where id = any(${pgArray(rejected, "uuid")}) returning id`,
    );
    eventRows.push(...rejectedRows);
    const deliveries = await count(
      tx,
      sql`delete from ${webhookDeliveries} where event_id = any(${pgArray(
        eventRows.map((row) => row.id),
        "uuid",
      )}) returning id`,
    );
    const hits = await count(
      tx,
      sql`delete from ${ruleHits} where message_id = any(${messageIds}) or thread_id = any(${threadIds}) returning id`,
    );
    const responses = await count(
      tx,
      sql`delete from ${analyticsResponses} where thread_id = any(${threadIds}) returning id`,
    );
    const simulated = await count(
      tx,
      sql`delete from ${simulatorDeliveries}
          where (session_id = ${contact.sessionId} and to_wa_id = any(${pgArray(addresses, "text")}))
             or client_ref = any(${pgArray(conversations.messageIds, "text")})
          returning id`,
    );
    // What the REST API answered (kept a week for idempotent retries) may name them. The key and
    // its fingerprint stay, so a retry is not run again (which would recreate them): it gets
    // ERASED_ANSWER_STATUS with a body that names no one.
    const needles = pgArray([contactId, ...conversations.threadIds, ...addresses], "text");
    const apiResponses = await count(
      tx,
      sql`update ${apiIdempotency} a set response = ${JSON.stringify(ERASED_ANSWER)}::jsonb
          where exists (select 1 from unnest(${needles}) n where a.response::text like '%' || n || '%')
          returning key_id`,
    );
    const redacted = await count(
      tx,
      sql`update ${auditLog} set before = null, after = null
          where entity_id = any(${pgArray([contactId, ...conversations.threadIds], "text")})
             or exists (select 1 from unnest(${needles}) n
                        where coalesce(before::text, '') || coalesce(after::text, '') like '%' || n || '%')
          returning id`,
    );

    // Finished jobs pg-boss keeps a while (a webhook's or the simulator's raw inbound message),
    // and jobs in the dead-letter queue, that mention them; never one waiting or running.
    const jobs = await eraseFinishedJobs(tx, addresses);

    const { rows: identityRows } = await tx.execute(
      sql`delete from ${contactIdentities} where contact_id = ${contactId} returning id`,
    );
    await tx.execute(sql`delete from ${contacts} where id = ${contactId}`);

    const media = await markUnsharedMedia(tx, conversations.mediaKeys);
    if (media.marked > 0 && options.boss) await enqueue(options.boss, "media.erased", {}, { tx });

    const counts: TErasureCounts = {
      messages: conversations.messageIds.length,
      conversations: conversations.threadIds.length,
      identities: identityRows.length,
      events: eventRows.length,
      webhookDeliveries: deliveries,
      campaignRecipients: recipients,
      scheduledMessages: scheduled,
      flowRuns: runs,
      ruleHits: hits,
      responseTimes: responses,
      simulatorDeliveries: simulated,
      apiResponses,
      jobs,
      auditEntriesRedacted: redacted,
      mediaFiles: media.marked,
      mediaFilesKept: media.kept,
    };
    // The contact id is an opaque reference; the counts say what went. Nothing that names them.
    await recordAudit(tx, actor, { action: "erase", entity: "contact", entityId: contactId, after: counts });
    return { contactId, counts };
  });
  if (options.store) await finishErasedMedia(db, options.store);
  return erasure;
}

/**
 * Removes the files of media objects marked `erased` from the store, then their rows: each under
 * its row's lock and only while it is still marked (the same file arriving again meanwhile takes
 * the row back, see `intakeMedia`, and keeps its bytes), with its thumbnail unless a kept file or
 * the library uses it. Called after an erasure commits and by the daily `messages.retention` job,
 * which finishes what a crash between the two left. A file whose removal fails stays marked for the
 * next sweep while the rest go on; the first such error is thrown after them. Returns the files removed.
 */
export async function finishErasedMedia(db: TDb, store: TMediaStore, batchSize = 200): Promise<number> {
  let removed = 0;
  // A file whose removal fails stays marked (the next sweep tries it again) and is not asked for
  // again in this one; the others go on, and the first error is thrown at the end.
  const failed: string[] = [];
  let failure: Error | null = null;
  for (;;) {
    const pending = await db
      .select({ sha256: mediaObjects.sha256 })
      .from(mediaObjects)
      .where(
        sql`${mediaObjects.deletedReason} = ${ERASED_REASON} and ${mediaObjects.deletedAt} is not null
            and not (${mediaObjects.sha256} = any(${pgArray(failed, "text")}))`,
      )
      .orderBy(mediaObjects.sha256)
      .limit(batchSize);
    let done = 0;
    for (const { sha256 } of pending) {
      done += 1;
      try {
        if (await finishOne(db, store, sha256)) removed += 1;
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(`could not remove ${sha256} from the media store`);
        failed.push(sha256);
      }
    }
    if (done < batchSize) break;
  }
  if (failure) throw failure;
  return removed;
}

/** Removes one file marked `erased` (see `finishErasedMedia`); false when it is no longer marked. */
async function finishOne(db: TDb, store: TMediaStore, sha256: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ thumb_sha256: string | null; deleted_reason: string | null }>(sql`
      select thumb_sha256, deleted_reason from ${mediaObjects} where sha256 = ${sha256} for update`);
    const row = rows[0];
    if (!row || row.deleted_reason !== ERASED_REASON) return false;
    await store.delete(sha256);
    if (row.thumb_sha256) {
      const { rows: users } = await tx.execute(sql`
        select 1 from ${mediaObjects} where thumb_sha256 = ${row.thumb_sha256} and sha256 <> ${sha256}
          and deleted_at is null
        union all select 1 from ${mediaAssets} where sha256 = ${row.thumb_sha256}
        union all select 1 from ${mediaObjects} where sha256 = ${row.thumb_sha256} and deleted_at is null
        limit 1`);
      if (users.length === 0) await store.delete(row.thumb_sha256);
    }
    await tx.execute(sql`delete from ${mediaObjects} where sha256 = ${sha256}`);
    return true;
  });
}
