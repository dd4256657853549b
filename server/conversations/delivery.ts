import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TTx } from "~/db/client";
import { messages } from "~/db/schema";
import { enqueueSends } from "~/server/jobs/boss";
import { jsonRecordset } from "~/server/lib/sql";

/** The prefix of a stuck message's flag (`stuck:<cause>`, server/delivery/stuck.ts): at most one per message. */
export const STUCK_FLAG_PREFIX = "stuck:";
/** The flag of a message the delivery sweep handed to its engine once more: never a second time. */
export const RESENT_FLAG = "stuck_resent";

/**
 * Marks outbound messages stuck with their likely cause: each gets `stuck:<cause>` in place of
 * any earlier stuck flag, only while it is still at the status the sweep saw (a message that
 * moved on since is left alone). Returns the ids flagged. The flag is never cleared: a message
 * delivered later keeps it as history, and "stuck now" is the flag with a status still waiting.
 */
export async function flagStuckMessages(
  tx: TTx,
  items: readonly { id: string; status: "queued" | "sent"; flag: string }[],
): Promise<string[]> {
  if (items.length === 0) return [];
  const { rows } = await tx.execute<{ id: string }>(sql`
    update ${messages} m
    set flags = array_append(
      array(select f from unnest(m.flags) f where f not like ${`${STUCK_FLAG_PREFIX}%`}), input.flag)
    from ${jsonRecordset(items, "id uuid, status message_status, flag text")} input
    where m.id = input.id and m.status = input.status and m.direction = 'out'
      and not (input.flag = any(m.flags))
    returning m.id`);
  return rows.map((row) => row.id);
}

/**
 * The one re-send of a message the engine never accepted (still `queued`, no transport id):
 * claims it with `stuck_resent` and puts it back on its session's send queue in the same
 * transaction, so either both happen or neither (a crash in between sends nothing; the next
 * sweep tries again), and a message claimed once is never handed over again. The send pipeline
 * still asks the engine whether it already took the message before sending (`findSentMany`).
 * Returns whether it was re-sent.
 */
export async function resendUnacceptedMessage(tx: TTx, boss: PgBoss, messageId: string): Promise<boolean> {
  const { rows } = await tx.execute<{ id: string; session_id: string; thread_id: string }>(sql`
    update ${messages} set flags = array_append(flags, ${RESENT_FLAG})
    where id = ${messageId} and status = 'queued' and direction = 'out' and wa_message_id is null
      and not (${RESENT_FLAG} = any(flags))
    returning id, session_id, thread_id`);
  const [message] = rows;
  if (!message) return false;
  await enqueueSends(boss, [{ id: message.id, sessionId: message.session_id, threadId: message.thread_id }], tx);
  return true;
}
