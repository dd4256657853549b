import { sql } from "drizzle-orm";
import type { TTx } from "~/db/client";
import { messages, threads } from "~/db/schema";
import { pgArray } from "~/server/lib/sql";

/**
 * Deleting conversations and messages for data rights (server/data-rights): the conversations
 * module owns threads and messages, so their deletes live here too. Rows that only point at a
 * thread or message without a foreign key (rule hits, response times, the thread's events) are the
 * caller's to remove; rows with one go with them (notes, reads, surveys, notifications, flow runs
 * and their steps, scheduled messages; a campaign recipient's `message_id` becomes null).
 */
export type TErasedConversations = {
  threadIds: string[];
  messageIds: string[];
  /** The media store keys (files and thumbnails) the deleted messages referred to. */
  mediaKeys: string[];
};

/** The media keys a set of message rows refers to (`content.media.storageKey` and `thumbKey`). */
const MEDIA_KEYS_OF = (alias: string) =>
  sql.raw(`array_remove(array[
    ${alias}.content->'media'->>'storageKey',
    ${alias}.content->'media'->>'thumbKey'
  ], null)`);

/**
 * Deletes every conversation of one contact with all its messages, in the caller's transaction,
 * under the threads' row locks (a message being ingested or queued for them waits, then finds no
 * thread). Returns what went, so the caller can remove what refers to it.
 */
export async function eraseConversationsOfContact(tx: TTx, contactId: string): Promise<TErasedConversations> {
  const { rows: locked } = await tx.execute<{ id: string }>(
    sql`select id from ${threads} where contact_id = ${contactId} for update`,
  );
  const threadIds = locked.map((row) => row.id);
  if (threadIds.length === 0) return { threadIds, messageIds: [], mediaKeys: [] };
  const { rows } = await tx.execute<{ id: string; keys: string[] }>(sql`
    delete from ${messages} m where m.thread_id = any(${pgArray(threadIds, "uuid")})
    returning m.id, ${MEDIA_KEYS_OF("m")} as keys`);
  await tx.execute(sql`delete from ${threads} where id = any(${pgArray(threadIds, "uuid")})`);
  return {
    threadIds,
    messageIds: rows.map((row) => row.id),
    mediaKeys: [...new Set(rows.flatMap((row) => row.keys))],
  };
}

/**
 * Message retention: deletes up to `limit` messages created before `cutoff`, oldest first, skipping
 * rows another transaction holds (and messages still waiting to be sent). Returns the deleted ids
 * and the media keys they referred to; fewer than `limit` means nothing older is left.
 */
export async function deleteMessagesBefore(
  tx: TTx,
  cutoff: Date,
  limit: number,
): Promise<{ messageIds: string[]; mediaKeys: string[] }> {
  const { rows } = await tx.execute<{ id: string; keys: string[] }>(sql`
    with doomed as (
      select id from ${messages}
      where created_at < ${cutoff.toISOString()} and status <> 'queued'
      order by created_at
      limit ${limit}
      for update skip locked
    )
    delete from ${messages} m using doomed d where m.id = d.id
    returning m.id, ${MEDIA_KEYS_OF("m")} as keys`);
  return {
    messageIds: rows.map((row) => row.id),
    mediaKeys: [...new Set(rows.flatMap((row) => row.keys))],
  };
}
