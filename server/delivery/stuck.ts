import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TDbOrTx } from "~/db/client";
import {
  flagStuckMessages,
  RESENT_FLAG,
  resendUnacceptedMessage,
  STUCK_FLAG_PREFIX,
} from "~/server/conversations/delivery";
import { engineCan, readEngineCapabilities } from "~/server/sessions/engine-capabilities";

/**
 * "Delivery you can trust": outbound messages that stopped on the way are found by a periodic
 * sweep (`delivery.sweep`), flagged with their likely cause (`messages.flags`, `stuck:<cause>`),
 * shown on Failed messages and counted in Analytics, and, where the engine can make it certain
 * the phone never got the first, handed to the engine once more. docs/delivery.md.
 */

/**
 * Why a message is stuck, as far as Switchboard can tell:
 * - `number_disconnected`: its number (session) is not connected: a queued message waits for
 *   it, and receipts of a sent one cannot reach us until it is back ("waiting for the number");
 * - `not_accepted`: the number is connected but the engine never took the message (no id, no
 *   server ack) within `NOT_ACCEPTED_AFTER_MS`, and the number has sent nothing in that time
 *   either (`wa_sessions.last_sent_at`): a number that sends is working through a backlog behind
 *   its pacing, and its queued messages are waiting for their turn;
 * - `not_delivered`: WhatsApp took it, but no delivery receipt came within
 *   `NOT_DELIVERED_AFTER_MS`: the contact's phone may be off or offline (normal for hours), the
 *   number may not be on WhatsApp, or the contact may have blocked us. Flagged, never failed.
 */
export const STUCK_CAUSES = ["number_disconnected", "not_accepted", "not_delivered"] as const;
export type TStuckCause = (typeof STUCK_CAUSES)[number];

/** A queued message not taken by the engine after this long is stuck (sends are retried for about a minute). */
export const NOT_ACCEPTED_AFTER_MS = 10 * 60_000;
/** A sent message without a delivery receipt after this long is stuck (a phone switched off overnight is normal). */
export const NOT_DELIVERED_AFTER_MS = 6 * 3_600_000;
/**
 * Sent messages are looked at while younger than this (by `created_at`, through its index), so
 * the sweep reads a bounded window however many messages there are; a message stays in it long
 * after `NOT_DELIVERED_AFTER_MS`, so no stuck one is missed by a sweep every few minutes.
 */
export const SENT_LOOKBACK_MS = 2 * 24 * 3_600_000;
/** Messages flagged per sweep at most (the next sweep takes the rest). */
export const SWEEP_LIMIT = 1_000;

/** The flag of a cause, and back. */
export const stuckFlagOf = (cause: TStuckCause) => `${STUCK_FLAG_PREFIX}${cause}`;
export function stuckCauseOf(flags: readonly string[]): TStuckCause | null {
  for (const flag of flags) {
    const cause = flag.slice(STUCK_FLAG_PREFIX.length);
    if (flag.startsWith(STUCK_FLAG_PREFIX) && (STUCK_CAUSES as readonly string[]).includes(cause)) {
      return cause as TStuckCause;
    }
  }
  return null;
}

const STUCK_FLAGS_SQL = sql.raw(`array[${STUCK_CAUSES.map((cause) => `'${stuckFlagOf(cause)}'`).join(", ")}]::text[]`);

type TCandidate = {
  id: string;
  status: "queued" | "sent";
  session_ready: boolean;
  capabilities: unknown;
  flags: string[];
};

/** The likely cause of a candidate: the number's own state first. */
export function causeOf(candidate: Pick<TCandidate, "status" | "session_ready">): TStuckCause {
  if (!candidate.session_ready) return "number_disconnected";
  return candidate.status === "queued" ? "not_accepted" : "not_delivered";
}

/**
 * Outbound messages past their threshold and not yet flagged with their current cause: queued
 * ones (through the partial index of queued messages) and sent ones of engines that report
 * receipts (through the `created_at` index, over `SENT_LOOKBACK_MS`).
 */
async function stuckCandidates(db: TDbOrTx, now: Date): Promise<TCandidate[]> {
  const notAcceptedBefore = new Date(now.getTime() - NOT_ACCEPTED_AFTER_MS);
  const notDeliveredBefore = new Date(now.getTime() - NOT_DELIVERED_AFTER_MS);
  const lookback = new Date(now.getTime() - SENT_LOOKBACK_MS);
  const causeFlag = sql`'stuck:' || case when s.status <> 'ready' then 'number_disconnected'
    when m.status = 'queued' then 'not_accepted' else 'not_delivered' end`;
  const { rows } = await db.execute<TCandidate>(sql`
    (select m.id, m.status, m.flags, s.status = 'ready' as session_ready, e.capabilities
      from messages m
      join wa_sessions s on s.id = m.session_id
      left join wa_engines e on e.kind = s.kind
      where m.status = 'queued' and m.direction = 'out'
        and coalesce(m.queued_at, m.created_at) < ${notAcceptedBefore}
        -- A connected number that has sent within the threshold is working through its queue
        -- behind its pacing: its queued messages wait for their turn, they are not stuck.
        and not (s.status = 'ready' and s.last_sent_at is not null and s.last_sent_at >= ${notAcceptedBefore})
        and not (m.flags @> array[${causeFlag}])
      limit ${SWEEP_LIMIT})
    union all
    (select m.id, m.status, m.flags, s.status = 'ready' as session_ready, e.capabilities
      from messages m
      join wa_sessions s on s.id = m.session_id
      left join wa_engines e on e.kind = s.kind
      where m.created_at >= ${lookback} and m.created_at < ${notDeliveredBefore}
        and m.status = 'sent' and m.direction = 'out' and m.sent_at < ${notDeliveredBefore}
        and (e.capabilities ->> 'readReceipts') = 'true'
        and not (m.flags @> array[${causeFlag}])
      limit ${SWEEP_LIMIT})`);
  // Receipts are only missing where the engine reports them at all.
  return rows.filter(
    (row) => row.status === "queued" || engineCan(readEngineCapabilities(row.capabilities), "readReceipts"),
  );
}

export type TSweepResult = { flagged: number; resent: string[] };

/**
 * One sweep: flags every stuck message with its likely cause and re-sends, once, the messages
 * whose engine never accepted them where the engine allows it (`resendUnaccepted`). Safe to
 * run concurrently and again: every write is conditional on what the sweep saw.
 */
export async function sweepStuckMessages(db: TDb, boss: PgBoss, now = new Date()): Promise<TSweepResult> {
  const candidates = await stuckCandidates(db, now);
  if (candidates.length === 0) return { flagged: 0, resent: [] };
  // One transaction: the flags and the re-sends (claim + send job) commit together, so a crash
  // anywhere in it leaves the messages as they were, for the next sweep to find again.
  return db.transaction(async (tx) => {
    const flagged = await flagStuckMessages(
      tx,
      candidates.map((candidate) => ({
        id: candidate.id,
        status: candidate.status,
        flag: stuckFlagOf(causeOf(candidate)),
      })),
    );
    const resent: string[] = [];
    for (const candidate of candidates) {
      if (causeOf(candidate) !== "not_accepted") continue;
      if (!engineCan(readEngineCapabilities(candidate.capabilities), "resendUnaccepted")) continue;
      if (await resendUnacceptedMessage(tx, boss, candidate.id)) resent.push(candidate.id);
    }
    return { flagged: flagged.length, resent };
  });
}

/** A message stuck now, as Failed messages shows it. */
export type TStuckMessage = {
  id: string;
  body: string;
  status: "queued" | "sent";
  cause: TStuckCause;
  /** When it was handed over (queued) or taken by WhatsApp (sent): its age runs from here. */
  since: Date;
  resent: boolean;
  source: string;
  waId: string;
  contactName: string | null;
  threadId: string;
};

/**
 * Messages stuck now (flagged, still queued or sent), oldest first. Queued ones through the
 * partial index of queued messages; sent ones over the last 7 days by `created_at`.
 */
export async function listStuckMessages(db: TDbOrTx, limit = 200): Promise<TStuckMessage[]> {
  const { rows } = await db.execute<{
    id: string;
    body: string;
    status: "queued" | "sent";
    flags: string[];
    since: string | Date;
    source: string;
    wa_id: string;
    contact_name: string | null;
    thread_id: string;
  }>(sql`
    select m.id, m.body, m.status, m.flags, m.source, c.wa_id, c.name as contact_name, t.id as thread_id,
      case when m.status = 'queued' then coalesce(m.queued_at, m.created_at) else m.sent_at end as since
    from (${stuckNow(sql`m.*`)}) m
    join threads t on t.id = m.thread_id
    join contacts c on c.id = t.contact_id
    order by since asc
    limit ${limit}`);
  return rows.flatMap((row) => {
    const cause = stuckCauseOf(row.flags);
    if (!cause) return [];
    return [
      {
        id: row.id,
        body: row.body,
        status: row.status,
        cause,
        since: new Date(row.since),
        resent: row.flags.includes(RESENT_FLAG),
        source: row.source,
        waId: row.wa_id,
        contactName: row.contact_name,
        threadId: row.thread_id,
      },
    ];
  });
}

/** How many messages are stuck now, by cause (one number for all numbers, or for one session). */
export async function countStuckMessages(
  db: TDbOrTx,
  sessionId: string | null = null,
): Promise<{ total: number } & Record<TStuckCause, number>> {
  const { rows } = await db.execute<{ flags: string[]; count: number }>(sql`
    select m.flags, count(*)::int as count from (${stuckNow(sql`m.flags, m.session_id`)}) m
    where ${sessionId ? sql`m.session_id = ${sessionId}` : sql`true`}
    group by m.flags`);
  const counts = { total: 0, number_disconnected: 0, not_accepted: 0, not_delivered: 0 };
  for (const row of rows) {
    const cause = stuckCauseOf(row.flags);
    if (!cause) continue;
    counts[cause] += row.count;
    counts.total += row.count;
  }
  return counts;
}

const LIST_LOOKBACK_MS = 7 * 24 * 3_600_000;

/** Outbound messages flagged stuck and still waiting: `columns` of `messages m`. */
function stuckNow(columns: ReturnType<typeof sql>) {
  return sql`
    select ${columns} from messages m
    where m.status = 'queued' and m.direction = 'out' and m.flags && ${STUCK_FLAGS_SQL}
    union all
    select ${columns} from messages m
    where m.created_at >= ${new Date(Date.now() - LIST_LOOKBACK_MS)} and m.status = 'sent' and m.direction = 'out'
      and m.flags && ${STUCK_FLAGS_SQL}`;
}
