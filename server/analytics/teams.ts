import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { TDbOrTx, TTx } from "~/db/client";
import { resolveRange, sessionFilter, type TRange, type ZRangeInput } from "./range";
import { withAnalyticsSettings } from "./session";

/** First responses after hand-offs: how many, median and 90th percentile (ms; null when none). */
export type TFirstResponse = { count: number; medianMs: number | null; p90Ms: number | null };
/** One SLA target over the conversations that had it: met, breached, still running. */
export type TSlaCount = { met: number; breached: number; pending: number };
/** What contacts said in the survey: sent, answered, the average and how many gave each score (1–5). */
export type TSatisfaction = {
  sent: number;
  answered: number;
  average: number | null;
  /** answered / sent (null when none was sent). */
  responseRate: number | null;
  distribution: [number, number, number, number, number];
};

export type TTeamFigures = {
  /** null: the shared queue (hand-offs to no team, or to a team deleted since). */
  teamId: string | null;
  name: string | null;
  handedOff: number;
  firstResponse: TFirstResponse;
  sla: { firstResponse: TSlaCount; resolution: TSlaCount };
  satisfaction: TSatisfaction;
};

export type TAgentFigures = {
  userId: string;
  name: string;
  /** Conversations given to them (taken over, assigned by a person or by a team's policy). */
  assigned: number;
  /** Their first replies after hand-offs (the first person to answer each). */
  firstResponse: TFirstResponse;
  /** The first-response target of the conversations they answered first. */
  sla: { firstResponse: TSlaCount };
  /** The surveys of conversations they held when closed. */
  satisfaction: TSatisfaction;
};

type TNum = number | string | null;
const num = (value: TNum) => (value === null ? null : Number(value));
const count = (value: TNum) => Number(value ?? 0);

function satisfactionOf(row: { sent: TNum; answered: TNum; average: TNum; d: number[] | null } | undefined) {
  const sent = count(row?.sent ?? 0);
  const answered = count(row?.answered ?? 0);
  const d = row?.d ?? [0, 0, 0, 0, 0];
  return {
    sent,
    answered,
    average: row ? num(row.average) : null,
    responseRate: sent === 0 ? null : answered / sent,
    distribution: [0, 1, 2, 3, 4].map((index) => Number(d[index] ?? 0)) as TSatisfaction["distribution"],
  };
}

const slaOf = (met: TNum, breached: TNum, pending: TNum): TSlaCount => ({
  met: count(met),
  breached: count(breached),
  pending: count(pending),
});

/**
 * Each hand-off of the range (a `thread.handoff` event: `events_type_at_idx`) with its team (the
 * event's `teamId`; a team deleted since counts as the shared queue) and the first reply a person
 * wrote after it (`messages_thread_created_idx`, one short ordered probe per hand-off), and the
 * conversations whose latest hand-off is in the range with their SLA state (by primary key).
 */
function handoffsSql(range: TRange) {
  return sql`
    handoffs as materialized (
      select e.thread_id, e.at,
        (select tm.id from teams tm where tm.id::text = e.payload->>'teamId') as team_id
      from events e
      where e.type = 'thread.handoff' and e.at >= ${range.start} and e.at < ${range.end} and e.thread_id is not null
        and ${sessionFilter("e.session_id", range.sessionId)}
    ), answered as materialized (
      select h.thread_id, h.team_id, h.at, r.created_at as replied_at, r.author_user_id,
        extract(epoch from (r.created_at - h.at)) * 1000 as response_ms
      from handoffs h
      left join lateral (
        select m.created_at, m.author_user_id from messages m
        where m.thread_id = h.thread_id and m.created_at >= h.at and m.direction = 'out'
          and m.source in ('agent', 'phone')
        order by m.created_at limit 1
      ) r on true
    ), sla as materialized (
      -- The SLA clocks are the thread's, of its latest hand-off: counted when that one is in the range.
      select t.id as thread_id,
        -- The team and first responder of its latest hand-off.
        l.team_id, l.author_user_id as responder,
        case
          when t.sla_first_response_due_at is null then null
          when t.first_human_reply_at is not null and t.first_human_reply_at <= t.sla_first_response_due_at then 'met'
          when t.sla_first_response_breached_at is not null or t.first_human_reply_at is not null then 'breached'
          when t.mode = 'human' and now() > t.sla_first_response_due_at then 'breached'
          when t.mode = 'human' then 'pending'
        end as first_response,
        case
          when t.sla_resolution_due_at is null then null
          when t.sla_resolution_breached_at is not null then 'breached'
          when t.mode = 'closed' and t.closed_at > t.sla_resolution_due_at then 'breached'
          when t.mode <> 'human' then 'met'
          when now() > t.sla_resolution_due_at then 'breached'
          else 'pending'
        end as resolution
      from threads t
      join lateral (select a.team_id, a.author_user_id from answered a where a.thread_id = t.id
        order by a.at desc limit 1) l on true
      where t.id in (select thread_id from handoffs) and t.handoff_at >= ${range.start} and t.handoff_at < ${range.end}
    )`;
}

/** Surveys sent in the range (a narrow table, read whole: one row per surveyed conversation). */
function surveysSql(range: TRange) {
  return sql`
    surveys as materialized (
      select s.team_id, s.agent_user_id, s.score, s.answered_at
      from satisfaction_surveys s
      ${range.sessionId ? sql`join contacts c on c.id = s.contact_id` : sql``}
      where s.sent_at >= ${range.start} and s.sent_at < ${range.end}
        and ${sessionFilter("c.session_id", range.sessionId)}
    )`;
}

const SATISFACTION_COLUMNS = sql`count(*) as sent, count(answered_at) as answered, avg(score)::float8 as average,
  array[count(*) filter (where score = 1), count(*) filter (where score = 2), count(*) filter (where score = 3),
    count(*) filter (where score = 4), count(*) filter (where score = 5)]::int[] as d`;

async function teamsQuery(tx: TTx, range: TRange): Promise<TTeamFigures[]> {
  const { rows } = await tx.execute<{
    team_id: string | null;
    name: string | null;
    handed_off: TNum;
    responses: TNum;
    median_ms: TNum;
    p90_ms: TNum;
    fr_met: TNum;
    fr_breached: TNum;
    fr_pending: TNum;
    res_met: TNum;
    res_breached: TNum;
    res_pending: TNum;
    sent: TNum;
    answered: TNum;
    average: TNum;
    d: number[] | null;
  }>(sql`
    with ${handoffsSql(range)}, ${surveysSql(range)},
    by_handoff as (
      select team_id, count(distinct thread_id) as handed_off, count(response_ms) as responses,
        percentile_cont(0.5) within group (order by response_ms) as median_ms,
        percentile_cont(0.9) within group (order by response_ms) as p90_ms
      from answered group by team_id
    ), by_sla as (
      select team_id,
        count(*) filter (where first_response = 'met') as fr_met,
        count(*) filter (where first_response = 'breached') as fr_breached,
        count(*) filter (where first_response = 'pending') as fr_pending,
        count(*) filter (where resolution = 'met') as res_met,
        count(*) filter (where resolution = 'breached') as res_breached,
        count(*) filter (where resolution = 'pending') as res_pending
      from sla group by team_id
    ), by_survey as (
      select team_id, ${SATISFACTION_COLUMNS} from surveys group by team_id
    ), keys as (
      select team_id from by_handoff union select team_id from by_survey
    )
    select k.team_id, tm.name, h.handed_off, h.responses, h.median_ms, h.p90_ms,
      s.fr_met, s.fr_breached, s.fr_pending, s.res_met, s.res_breached, s.res_pending,
      v.sent, v.answered, v.average, v.d
    from keys k
    left join teams tm on tm.id = k.team_id
    left join by_handoff h on h.team_id is not distinct from k.team_id
    left join by_sla s on s.team_id is not distinct from k.team_id
    left join by_survey v on v.team_id is not distinct from k.team_id
    order by k.team_id is null, tm.name`);
  return rows.map((row) => ({
    teamId: row.team_id,
    name: row.name,
    handedOff: count(row.handed_off),
    firstResponse: { count: count(row.responses), medianMs: num(row.median_ms), p90Ms: num(row.p90_ms) },
    sla: {
      firstResponse: slaOf(row.fr_met, row.fr_breached, row.fr_pending),
      resolution: slaOf(row.res_met, row.res_breached, row.res_pending),
    },
    satisfaction: satisfactionOf(row.sent === null ? undefined : row),
  }));
}

async function agentsQuery(tx: TTx, range: TRange, onlyUserId: string | null): Promise<TAgentFigures[]> {
  const { rows } = await tx.execute<{
    user_id: string;
    name: string;
    assigned: TNum;
    responses: TNum;
    median_ms: TNum;
    p90_ms: TNum;
    fr_met: TNum;
    fr_breached: TNum;
    fr_pending: TNum;
    sent: TNum;
    answered: TNum;
    average: TNum;
    d: number[] | null;
  }>(sql`
    with ${handoffsSql(range)}, ${surveysSql(range)},
    assignments as materialized (
      -- Counted per person before anything is parsed as a user id (the pattern test runs on the groups).
      select e.payload->>'assigneeId' as who, count(distinct e.thread_id) as n
      from events e
      where e.type = 'thread.assigned' and e.at >= ${range.start} and e.at < ${range.end}
        and ${sessionFilter("e.session_id", range.sessionId)}
      group by 1
    ), by_assigned as (
      select who::uuid as user_id, n as assigned from assignments where who ~ '^[0-9a-f-]{36}$'
    ), by_response as (
      select author_user_id as user_id, count(*) as responses,
        percentile_cont(0.5) within group (order by response_ms) as median_ms,
        percentile_cont(0.9) within group (order by response_ms) as p90_ms
      from answered where author_user_id is not null group by 1
    ), by_sla as (
      select responder as user_id,
        count(*) filter (where first_response = 'met') as fr_met,
        count(*) filter (where first_response = 'breached') as fr_breached,
        count(*) filter (where first_response = 'pending') as fr_pending
      from sla where responder is not null group by 1
    ), by_survey as (
      select agent_user_id as user_id, ${SATISFACTION_COLUMNS} from surveys where agent_user_id is not null group by 1
    ), keys as (
      select user_id from by_assigned union select user_id from by_response union select user_id from by_survey
    )
    select k.user_id, u.name, a.assigned, r.responses, r.median_ms, r.p90_ms, s.fr_met, s.fr_breached, s.fr_pending,
      v.sent, v.answered, v.average, v.d
    from keys k
    join users u on u.id = k.user_id and ${onlyUserId ? sql`u.id = ${onlyUserId}::uuid` : sql`true`}
    left join by_assigned a on a.user_id = k.user_id
    left join by_response r on r.user_id = k.user_id
    left join by_sla s on s.user_id = k.user_id
    left join by_survey v on v.user_id = k.user_id
    order by u.name`);
  return rows.map((row) => ({
    userId: row.user_id,
    name: row.name,
    assigned: count(row.assigned),
    firstResponse: { count: count(row.responses), medianMs: num(row.median_ms), p90Ms: num(row.p90_ms) },
    sla: { firstResponse: slaOf(row.fr_met, row.fr_breached, row.fr_pending) },
    satisfaction: satisfactionOf(row.sent === null ? undefined : row),
  }));
}

/**
 * Analytics per team and per agent for a range: hand-offs, first response after a hand-off
 * (median, p90: from the hand-off to the first reply a person wrote), SLA compliance (of the
 * conversations whose latest hand-off is in the range and had a target: met, breached, still
 * running) and satisfaction (surveys sent in the range: answered, response rate, average,
 * distribution). `onlyUserId` limits the agents to one person (an agent sees only their own
 * row; the team figures are everyone's, as the rest of the page).
 */
export function teamAnalytics(
  db: TDbOrTx,
  input: z.input<typeof ZRangeInput>,
  onlyUserId: string | null = null,
): Promise<{ teams: TTeamFigures[]; agents: TAgentFigures[] }> {
  return withAnalyticsSettings(db, async (tx) => {
    const range = await resolveRange(tx, input);
    return { teams: await teamsQuery(tx, range), agents: await agentsQuery(tx, range, onlyUserId) };
  });
}
