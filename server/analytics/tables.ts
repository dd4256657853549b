import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { withAnalyticsSettings } from "./session";
import { resolveRange, sessionFilter, type ZRangeInput } from "./range";

/**
 * The rules table: per rule (by the name of its latest version), evaluations and matches in the
 * range (`rule_evaluations`), the match rate, when it last fired, and how many of its matches
 * (`rule_hits`) were followed by a hand-off in the same thread (a `thread.handoff` event at or
 * after the match). Driven from the hand-off threads, which are few, so it stays fast at scale.
 */
async function rulesTableQuery(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  const range = await resolveRange(db, input);
  const { rows } = await db.execute<{
    rule_id: string;
    name: string | null;
    evaluations: number;
    matches: number;
    last_fired: string | null;
    followed_by_handoff: number;
  }>(sql`
    with counted as (
      select rule_id, sum(evaluations)::int as evaluations, sum(matches)::int as matches
      from rule_evaluations where at >= ${range.start} and at < ${range.end} group by rule_id
    ), handoffs as (
      select thread_id, max(at) as last_at from events
      where type = 'thread.handoff' and at >= ${range.start} and at < ${range.end} and thread_id is not null
        and ${sessionFilter("session_id", range.sessionId)}
      group by thread_id
    ), followed as (
      -- The rule hits in those threads at or before their last hand-off (rule_hits carries the
      -- thread: an index-only nested loop from the few hand-off threads).
      select f.rule_id, count(*)::int as n
      from handoffs h
      join rule_hits f on f.thread_id = h.thread_id and f.at >= ${range.start} and f.at <= h.last_at
      group by 1
    ), names as (
      select distinct on ((r->>'id')) (r->>'id')::uuid as rule_id, r->>'name' as name
      from rule_versions v, jsonb_array_elements(v.snapshot) r
      order by (r->>'id'), v.version desc
    )
    select c.rule_id, n.name, c.evaluations, c.matches,
      (select max(h.at) from rule_hits h where h.rule_id = c.rule_id) as last_fired,
      coalesce(f.n, 0) as followed_by_handoff
    from counted c left join names n on n.rule_id = c.rule_id left join followed f on f.rule_id = c.rule_id
    order by c.matches desc, n.name`);
  return rows.map((row) => ({
    ruleId: row.rule_id,
    name: row.name ?? "(deleted rule)",
    evaluations: Number(row.evaluations),
    matches: Number(row.matches),
    matchRate: Number(row.evaluations) === 0 ? null : Number(row.matches) / Number(row.evaluations),
    lastFiredAt: row.last_fired ? new Date(row.last_fired) : null,
    followedByHandoff: Number(row.followed_by_handoff),
  }));
}

/**
 * The agents table: per person, threads they took over or were given, their replies, their
 * median response time to a waiting contact, and the threads they released or closed.
 */
async function agentsTableQuery(db: TDbOrTx, input: z.input<typeof ZRangeInput>, onlyUserId: string | null) {
  const range = await resolveRange(db, input);
  const { rows } = await db.execute<{
    user_id: string;
    name: string;
    taken: number;
    replies: number;
    median_ms: number | null;
    released: number;
    closed: number;
  }>(sql`
    with ownership as materialized (
      -- Who in each event (the assignee of an assignment, the actor of a release or close),
      -- counted per type and person before anything is parsed as a user id (materialized: the
      -- pattern test runs on the few groups, not on every event).
      select e.type, case when e.type = 'thread.assigned' then e.payload->>'assigneeId' else e.payload->>'by' end as who,
        count(*)::int as n
      from events e
      where e.type in ('thread.assigned', 'thread.released', 'thread.closed')
        and e.at >= ${range.start} and e.at < ${range.end} and ${sessionFilter("e.session_id", range.sessionId)}
      group by 1, 2
    ), owned as (
      select who::uuid as user_id, coalesce(sum(n) filter (where type = 'thread.assigned'), 0)::int as taken,
        coalesce(sum(n) filter (where type = 'thread.released'), 0)::int as released,
        coalesce(sum(n) filter (where type = 'thread.closed'), 0)::int as closed
      from ownership where who ~ '^[0-9a-f-]{36}$' group by 1
    ), replies as (
      select m.author_user_id as user_id, count(*)::int as n from messages m
      where m.source = 'agent' and m.created_at >= ${range.start} and m.created_at < ${range.end}
        and ${sessionFilter("m.session_id", range.sessionId)}
      group by 1
    ), response as (
      select r.user_id, percentile_cont(0.5) within group (order by r.response_ms) as median_ms
      from analytics_responses r
      where r.user_id is not null and r.responded_at >= ${range.start} and r.responded_at < ${range.end}
        and ${sessionFilter("r.session_id", range.sessionId)}
      group by 1
    ), people as (
      select user_id from owned union select user_id from replies
    )
    select p.user_id, u.name, coalesce(o.taken, 0) as taken, coalesce(rp.n, 0) as replies, rs.median_ms,
      coalesce(o.released, 0) as released, coalesce(o.closed, 0) as closed
    from people p join users u on u.id = p.user_id
      and ${onlyUserId ? sql`u.id = ${onlyUserId}::uuid` : sql`true`}
    left join owned o on o.user_id = p.user_id left join replies rp on rp.user_id = p.user_id
    left join response rs on rs.user_id = p.user_id
    order by coalesce(rp.n, 0) desc, u.name`);
  return rows.map((row) => ({
    userId: row.user_id,
    name: row.name,
    threadsTaken: Number(row.taken),
    replies: Number(row.replies),
    medianResponseMs: row.median_ms === null ? null : Number(row.median_ms),
    released: Number(row.released),
    closed: Number(row.closed),
  }));
}

export function rulesTable(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  return withAnalyticsSettings(db, (tx) => rulesTableQuery(tx, input));
}

/** The agents table; `onlyUserId` limits it to one person's row (an agent sees only their own). */
export function agentsTable(db: TDbOrTx, input: z.input<typeof ZRangeInput>, onlyUserId: string | null = null) {
  return withAnalyticsSettings(db, (tx) => agentsTableQuery(tx, input, onlyUserId));
}
