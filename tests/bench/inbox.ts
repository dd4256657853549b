import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import type { TSessionUser } from "~/server/auth/roles";
import { assignTeamQueue } from "~/server/conversations/assignment";
import { listInboxThreads, type TInboxListInput } from "~/server/inbox/list";
import { getSimulatorSessionId } from "~/server/sessions/sessions";
import { withBenchDatabase } from "./database";
import { note, percentile, report } from "./report";

const BENCH = "inbox";
/** BENCH_INBOX_SCALE=0.1: a tenth of the data (a quick look; the figures that count use 1). */
const SCALE = Number(process.env.BENCH_INBOX_SCALE ?? 1);
const CONVERSATIONS = Math.round(100_000 * SCALE);
const OPEN = Math.round(20_000 * SCALE);
const MESSAGES_PER_CONVERSATION = 10;
const TEAMS = 5;
const AGENTS_PER_TEAM = 4;
const RUNS = Number(process.env.BENCH_INBOX_RUNS ?? 200);
const CONCURRENT_HANDOFFS = 20;
const ASSIGN_ROUNDS = Number(process.env.BENCH_INBOX_ASSIGN_ROUNDS ?? 10);

async function timed(iterations: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i += 1) await run(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/**
 * The data: 100,000 conversations with 10 messages each (1,000,000), 20,000 of them open (the
 * people's): half assigned to the 20 agents of 5 teams, half waiting in the teams' queues and
 * the shared one; the rest with the bot or closed.
 */
async function seed(db: TDb) {
  const sessionId = await getSimulatorSessionId(db);
  await db.execute(sql`
    insert into teams (name, assignment_mode, max_open_per_agent)
    select 'Team ' || n, 'round_robin', 1000 from generate_series(1, ${TEAMS}) as n`);
  await db.execute(sql`
    insert into users (email, name, password_hash, role, availability)
    select 'agent' || n || '@bench.test', 'Agent ' || n, 'x', 'agent', 'offline'
    from generate_series(1, ${TEAMS * AGENTS_PER_TEAM}) as n`);
  await db.execute(sql`
    insert into team_members (team_id, user_id)
    select t.id, u.id
    from (select id, row_number() over (order by name) - 1 as k from teams) t
    join (select id, row_number() over (order by email) - 1 as k from users where email like '%@bench.test') u
      on u.k % ${TEAMS} = t.k`);
  await db.execute(sql`
    insert into contacts (session_id, wa_id, name, first_seen_at, last_interaction_at)
    select ${sessionId}::uuid, '+1666' || lpad(n::text, 7, '0'), 'Contact ' || n,
      now() - make_interval(days => n % 365), now() - make_interval(mins => (n * 37) % 129600)
    from generate_series(1, ${CONVERSATIONS}) as n`);
  // Open conversations: the first OPEN contacts. Even ones assigned (to an agent of their team),
  // odd ones waiting (in a team's queue, one in ten in the shared one); a third of each awaiting an answer.
  await db.execute(sql`
    with agents as (
      select tm.team_id, tm.user_id, row_number() over (partition by tm.team_id order by tm.user_id) - 1 as k
      from team_members tm),
    numbered_teams as (select id, row_number() over (order by name) - 1 as k from teams),
    c as (select id, last_interaction_at, row_number() over (order by wa_id) as n from contacts where wa_id like '+1666%')
    insert into threads (contact_id, mode, team_id, assigned_user_id, last_message_at, handoff_at, awaiting_since, closed_at)
    select c.id,
      (case when c.n <= ${OPEN} then 'human' when c.n % 3 = 0 then 'closed' else 'bot' end)::thread_mode,
      case when c.n <= ${OPEN} and not (c.n % 2 = 1 and c.n % 10 = 1) then nt.id end,
      case when c.n <= ${OPEN} and c.n % 2 = 0 then
        (select a.user_id from agents a where a.team_id = nt.id and a.k = (c.n / (2 * ${TEAMS})) % ${AGENTS_PER_TEAM}) end,
      c.last_interaction_at,
      case when c.n <= ${OPEN} then c.last_interaction_at - interval '5 minutes' end,
      case when c.n <= ${OPEN} and c.n % 3 = 0 then c.last_interaction_at end,
      case when c.n > ${OPEN} and c.n % 3 = 0 then c.last_interaction_at end
    from c join numbered_teams nt on nt.k = c.n % ${TEAMS}`);
  await db.execute(sql`
    insert into messages (session_id, thread_id, direction, wa_message_id, body, source, status, created_at)
    select ${sessionId}::uuid, t.id, case when k % 2 = 0 then 'in' else 'out' end::message_direction,
      case when k % 2 = 0 then t.id::text || '-' || k end,
      'message ' || k, case when k % 2 = 0 then 'contact' else 'rule' end::message_source,
      case when k % 2 = 0 then 'received' else 'read' end::message_status,
      t.last_message_at - make_interval(mins => (${MESSAGES_PER_CONVERSATION} - k) * 3)
    from threads t cross join generate_series(1, ${MESSAGES_PER_CONVERSATION}) as k`);
  await db.execute(sql`analyze`);
}

/**
 * `npm run bench -- inbox`: on 100,000 conversations (20,000 open) and 1,000,000 messages, the
 * p95 of the lists an agent lives in (their own, a team's queue, everything waiting), and of an
 * assignment decision while 20 hand-offs to one team commit at once.
 */
export async function runInboxBench() {
  await withBenchDatabase(async ({ db }) => {
    const started = performance.now();
    await seed(db);
    const [counts] = (
      await db.execute<{ threads: number; open: number; messages: number }>(sql`
        select (select count(*)::int from threads) as threads,
          (select count(*)::int from threads where mode = 'human') as open,
          (select count(*)::int from messages) as messages`)
    ).rows;
    note(
      `seeded ${counts?.threads} conversations (${counts?.open} open), ${counts?.messages} messages in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    const agents = (
      await db.execute<{ id: string; email: string; name: string; team_id: string }>(sql`
        select u.id, u.email, u.name, tm.team_id from users u join team_members tm on tm.user_id = u.id
        where u.email like '%@bench.test' order by u.email`)
    ).rows;
    const teamIds = [...new Set(agents.map((agent) => agent.team_id))];
    const asUser = (index: number): TSessionUser => {
      const agent = agents[index % agents.length]!;
      return { id: agent.id, email: agent.email, name: agent.name, role: "agent" };
    };
    const lists: [string, (index: number) => TInboxListInput][] = [
      ["mine", () => ({ filter: "mine" })],
      ["team_queue", (index) => ({ filter: "unassigned", queue: teamIds[index % teamIds.length] ?? null })],
      ["needs_human", () => ({ filter: "needs_human" })],
    ];
    const all: number[] = [];
    for (const [name, input] of lists) {
      const samples = await timed(RUNS, (index) => listInboxThreads(db, asUser(index), input(index)));
      all.push(...samples);
      samples.sort((a, b) => a - b);
      report(BENCH, `${name}_list_p95_ms`, percentile(samples, 95), {
        runs: RUNS,
        p50_ms: Math.round(percentile(samples, 50) * 100) / 100,
      });
    }
    all.sort((a, b) => a - b);
    report(BENCH, "inbox_list_p95_ms", percentile(all, 95), {
      conversations: counts?.threads,
      open: counts?.open,
      messages: counts?.messages,
      lists: lists.map(([name]) => name),
    });

    // Assignment: a team in round-robin with its agents online and room; each round 20
    // conversations with the bot are handed off to it at once, each hand-off followed (as its
    // team.assign job is) by an assignment call; the figure is the time from the hand-off's commit
    // until the call whose run assigned it returned (its own, or the one holding the team's row).
    const [team] = (
      await db.execute<{ id: string }>(sql`
        insert into teams (name, assignment_mode, max_open_per_agent) values ('Assign bench', 'round_robin', 1000)
        returning id`)
    ).rows;
    const teamId = team!.id;
    await db.execute(sql`
      with fresh as (
        insert into users (email, name, password_hash, role, availability)
        select 'assign' || n || '@bench.test', 'Assignee ' || n, 'x', 'agent', 'online'
        from generate_series(1, ${AGENTS_PER_TEAM}) as n
        returning id)
      insert into team_members (team_id, user_id) select ${teamId}, id from fresh`);
    const spare = (
      await db.execute<{ id: string }>(sql`
        select id from threads where mode = 'bot' order by id limit ${CONCURRENT_HANDOFFS * (ASSIGN_ROUNDS + 1)}`)
    ).rows.map((row) => row.id);
    const assignSamples: number[] = [];
    for (let round = 0; round <= ASSIGN_ROUNDS; round += 1) {
      const batch = spare.slice(round * CONCURRENT_HANDOFFS, (round + 1) * CONCURRENT_HANDOFFS);
      // When each hand-off committed, and when the call whose run assigned it returned (after its commit).
      const committed = new Map<string, number>();
      const assignedAt = new Map<string, number>();
      await Promise.all(
        batch.map(async (threadId) => {
          await db.execute(sql`
            update threads set mode = 'human', team_id = ${teamId}, assigned_user_id = null,
              handoff_at = now(), human_active_at = now(), updated_at = now()
            where id = ${threadId}`);
          committed.set(threadId, performance.now());
          // Its run may find the team busy: the run holding it then assigns it (see assignTeamQueue).
          const assigned = await assignTeamQueue(db, teamId);
          const at = performance.now();
          for (const assignment of assigned) assignedAt.set(assignment.threadId, at);
        }),
      );
      const times = batch.map((threadId) => {
        const at = assignedAt.get(threadId);
        if (at === undefined) throw new Error(`round ${round}: hand-off ${threadId} not assigned by any run`);
        return at - committed.get(threadId)!;
      });
      if (round > 0) assignSamples.push(...times); // round 0 warms up
      const [left] = (
        await db.execute<{ waiting: number }>(sql`
          select count(*)::int as waiting from threads where team_id = ${teamId} and mode = 'human'
            and assigned_user_id is null and id = any(${sql.raw(`array[${batch.map((id) => `'${id}'::uuid`).join(",")}]`)})`)
      ).rows;
      if ((left?.waiting ?? 0) > 0) throw new Error(`round ${round}: ${left?.waiting} hand-offs left unassigned`);
    }
    assignSamples.sort((a, b) => a - b);
    report(BENCH, "assign_p95_ms", percentile(assignSamples, 95), {
      concurrent: CONCURRENT_HANDOFFS,
      rounds: ASSIGN_ROUNDS,
      p50_ms: Math.round(percentile(assignSamples, 50) * 100) / 100,
    });
  });
}
