import { sql } from "drizzle-orm";
import type { TTx } from "~/db/client";
import { messages } from "~/db/schema";
import { MAX_BURST_WAIT_MS } from "~/server/ai/burst";
import { isContactTyping } from "~/server/ai/typing";
import { pgArray } from "~/server/lib/sql";

/**
 * One decision per burst for rules (Settings `quietBeforeRules`): with it on, `message.process`
 * decides a message only once the contact has written nothing for the quiet period
 * (`replyQuietMs`) after it and is not typing (as the engine reports it), never later than
 * MAX_BURST_WAIT_MS after it. A message with a newer one of the same burst is "merged": it is
 * marked processed without running rules, and the burst's LAST message is decided with the
 * burst's texts joined in order, so "hi" / "where is my order?" gets one answer. The AI reply
 * such a decision queues answers the same burst (server/ai/burst.ts), without waiting again.
 *
 * The cost is latency on every reply: the quiet period plus the job's pickup (the job runs once
 * at once, finds the message too young and queues itself for the end of the quiet period).
 */

/** The most earlier messages one burst joins (the last one's own text comes on top). */
const MAX_JOINED = 19;

export type TQuietMessage = { id: string; contactId: string; createdAt: Date };

/** What a message's burst looks like now: a newer message of it exists; the earlier messages it joins. */
export type TBurstState = {
  hasNewer: boolean;
  /** The inbound messages since the last message to the contact, oldest first (at most MAX_JOINED). */
  before: { body: string; at: Date }[];
};

export type TQuietVerdict =
  /** Too early (or the contact is typing): look again at `at`. */
  | { action: "defer"; at: Date }
  /** A newer message of the burst will be decided with this one's text. */
  | { action: "merged" }
  /** Decide now, on `body` (the burst's texts joined); `since`: when the burst began. */
  | { action: "decide"; body: string; since: Date };

/**
 * The verdict for one message, at `now` (pure: the burst state is read by `readBurstStates`).
 * The earlier messages joined are those that follow each other with no gap longer than
 * MAX_BURST_WAIT_MS up to this one (an old unanswered message is not part of today's burst).
 */
export function quietVerdict(
  message: TQuietMessage & { body: string },
  state: TBurstState,
  quietMs: number,
  now: number,
  typing: (contactId: string, since: Date, now: number) => boolean = isContactTyping,
): TQuietVerdict {
  const sent = message.createdAt.getTime();
  const latest = sent + MAX_BURST_WAIT_MS;
  if (state.hasNewer) return { action: "merged" };
  if (now < latest) {
    if (now < sent + quietMs) return { action: "defer", at: new Date(sent + quietMs) };
    if (typing(message.contactId, message.createdAt, now))
      return { action: "defer", at: new Date(Math.min(now + quietMs, latest)) };
  }
  const joined: { body: string; at: Date }[] = [];
  let next = message.createdAt;
  for (const earlier of [...state.before].reverse()) {
    if (next.getTime() - earlier.at.getTime() > MAX_BURST_WAIT_MS) break;
    joined.unshift(earlier);
    next = earlier.at;
  }
  const body = [...joined.map((earlier) => earlier.body), message.body]
    .map((text) => text.trim())
    .filter((text) => text.length > 0)
    .join("\n");
  return { action: "decide", body, since: joined[0]?.at ?? message.createdAt };
}

/**
 * Each message's burst state, in one statement: whether a newer inbound message of its thread
 * came within MAX_BURST_WAIT_MS, and the inbound messages before it since the last message to
 * the contact (bounded in time, so the thread's index on (thread, created_at) serves both).
 */
export async function readBurstStates(tx: TTx, ids: readonly string[]): Promise<Map<string, TBurstState>> {
  if (ids.length === 0) return new Map();
  const window = sql.raw(`interval '${Math.ceil((MAX_BURST_WAIT_MS * (MAX_JOINED + 1)) / 1000)} seconds'`);
  const gap = sql.raw(`interval '${Math.ceil(MAX_BURST_WAIT_MS / 1000)} seconds'`);
  const { rows } = await tx.execute<{ id: string; has_newer: boolean; before: { body: string; at: string }[] }>(sql`
    select m.id,
      exists (
        select 1 from ${messages} n
        where n.thread_id = m.thread_id and n.direction = 'in' and n.seq > m.seq
          and n.created_at >= m.created_at - ${gap} and n.created_at <= m.created_at + ${gap}
      ) as has_newer,
      coalesce((
        select json_agg(json_build_object('body', b.body, 'at', b.created_at) order by b.seq)
        from (
          select b.body, b.created_at, b.seq from ${messages} b
          where b.thread_id = m.thread_id and b.direction = 'in' and b.seq < m.seq
            and b.created_at >= m.created_at - ${window}
            and b.seq > coalesce((
              select max(o.seq) from ${messages} o
              where o.thread_id = m.thread_id and o.direction = 'out' and o.seq < m.seq
                and o.created_at >= m.created_at - ${window}), 0)
          order by b.seq desc
          limit ${MAX_JOINED}
        ) b
      ), '[]'::json) as before
    from ${messages} m
    where m.id = any(${pgArray([...ids], "uuid")})`);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        hasNewer: row.has_newer,
        before: row.before.map((earlier) => ({ body: earlier.body, at: new Date(earlier.at) })),
      },
    ]),
  );
}
