import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { contacts, threads } from "~/db/schema";
import { recordEvents } from "~/server/events/events";

/**
 * SLA targets of teams: a hand-off to a team with targets sets the conversation's due times
 * (`slaClocksForTeam`, server/conversations/state.ts: the hand-off plus the team's minutes for
 * the first reply by a person and for closing it); a person's first reply sets
 * `first_human_reply_at` (server/conversations/outbound.ts). This module finds the ones that
 * passed unmet: the `team.sla` cron, every minute, reads them through the partial indexes
 * `threads_sla_first_response_idx` / `threads_sla_resolution_idx` (their predicates repeated
 * here word for word), stamps `sla_*_breached_at` once and records `thread.sla_breached`
 * (webhooks deliver it).
 */

export const SLA_TARGETS = ["first_response", "resolution"] as const;
export type TSlaTarget = (typeof SLA_TARGETS)[number];

/** At most this many breaches per target and sweep (the next minute takes the rest). */
const SWEEP_LIMIT = 500;

export type TSlaBreach = {
  target: TSlaTarget;
  threadId: string;
  teamId: string;
  dueAt: string;
  assigneeId: string | null;
};

type TBreachRow = {
  id: string;
  team_id: string;
  contact_id: string;
  session_id: string;
  due_at: Date | string;
  assigned_user_id: string | null;
};

/**
 * Stamps every conversation whose SLA due time has passed unmet at `now` (still the people's;
 * for the first response, no reply by a person yet) and records one `thread.sla_breached` each
 * (`target`, `teamId`, `dueAt`, `assigneeId`). Rows another sweep holds are skipped, and a row
 * is stamped only while unstamped, so each breach is recorded exactly once.
 */
export async function sweepSlaBreaches(db: TDb, now = new Date()): Promise<TSlaBreach[]> {
  const at = now.toISOString();
  return db.transaction(async (tx) => {
    const firstResponse = await tx.execute<TBreachRow>(sql`
      with due as (
        select t.id from ${threads} t
        where t.sla_first_response_breached_at is null and t.first_human_reply_at is null and t.mode = 'human'
          and t.sla_first_response_due_at <= ${at}::timestamptz and t.team_id is not null
        order by t.sla_first_response_due_at
        limit ${SWEEP_LIMIT}
        for update of t skip locked
      )
      update ${threads} t set sla_first_response_breached_at = ${at}::timestamptz
      from due, ${contacts} c
      where t.id = due.id and c.id = t.contact_id and t.sla_first_response_breached_at is null
      returning t.id, t.team_id, t.contact_id, c.session_id, t.sla_first_response_due_at as due_at, t.assigned_user_id`);
    const resolution = await tx.execute<TBreachRow>(sql`
      with due as (
        select t.id from ${threads} t
        where t.sla_resolution_breached_at is null and t.mode = 'human'
          and t.sla_resolution_due_at <= ${at}::timestamptz and t.team_id is not null
        order by t.sla_resolution_due_at
        limit ${SWEEP_LIMIT}
        for update of t skip locked
      )
      update ${threads} t set sla_resolution_breached_at = ${at}::timestamptz
      from due, ${contacts} c
      where t.id = due.id and c.id = t.contact_id and t.sla_resolution_breached_at is null
      returning t.id, t.team_id, t.contact_id, c.session_id, t.sla_resolution_due_at as due_at, t.assigned_user_id`);
    const stamped = [
      ...firstResponse.rows.map((row) => ({ target: "first_response" as const, row })),
      ...resolution.rows.map((row) => ({ target: "resolution" as const, row })),
    ];
    await recordEvents(
      tx,
      stamped.map(({ target, row }) => ({
        type: "thread.sla_breached",
        sessionId: row.session_id,
        contactId: row.contact_id,
        threadId: row.id,
        payload: {
          target,
          teamId: row.team_id,
          dueAt: new Date(row.due_at).toISOString(),
          assigneeId: row.assigned_user_id,
        },
      })),
    );
    return stamped.map(({ target, row }) => ({
      target,
      threadId: row.id,
      teamId: row.team_id,
      dueAt: new Date(row.due_at).toISOString(),
      assigneeId: row.assigned_user_id,
    }));
  });
}
