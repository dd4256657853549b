import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { users } from "~/db/schema";
import { runAnalyticsRollup } from "~/server/analytics/rollup";
import { hashPassword } from "~/server/auth/password";
import type { Logger } from "~/server/logger";
import { createRule, publishDraft } from "~/server/rules/rules";
import { getSimulatorSessionId } from "~/server/sessions/sessions";

export type TSeedOptions = {
  contacts: number;
  /** Messages in and out together (half each: every contact message gets one reply). */
  messages: number;
  days: number;
  now?: Date;
};

export const LARGE_SEED: TSeedOptions = { contacts: 50_000, messages: 1_000_000, days: 90 };

/**
 * A realistic history for analytics and benchmarks, generated in Postgres (set-based SQL, so a
 * million messages take minutes, not hours): contacts first seen over the period; conversations
 * whose messages follow daily and weekly cycles (busy late mornings and afternoons, quiet nights
 * and Sundays); every contact message answered by a rule (60 %), the AI (28 %, 5 % of it
 * fallbacks) or, in threads handed to people (about 4 %), an agent; delivery events (sent,
 * delivered, read, a few failures), rule hits and evaluations, AI calls, response times, and
 * webhook deliveries with their attempts. Triggers (live NOTIFY, webhook fan-out) are skipped
 * for the bulk insert: this is history, not live traffic. Ends with the hourly rollup.
 */
export async function seedLarge(db: TDb, log: Logger, options: TSeedOptions = LARGE_SEED) {
  const now = options.now ?? new Date();
  const turns = Math.floor(options.messages / 2);
  const sessionId = await getSimulatorSessionId(db);
  const step = async (label: string, run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    log.info({ step: label, seconds: Math.round((performance.now() - started) / 100) / 10 }, "seeded");
  };

  // Ten published rules, so rule names and versions exist.
  const ruleIds: string[] = [];
  await step("rules", async () => {
    const words = ["price", "hours", "booking", "delivery", "refund", "menu", "address", "order", "invoice", "agent"];
    for (const [index, word] of words.entries()) {
      const rule = await createRule(db, null, {
        name: `Seed: ${word}`,
        priority: 100 - index,
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: word }] },
        actions: word === "agent" ? [{ type: "handoff" }] : [{ type: "reply", text: `About ${word}: …` }],
      });
      ruleIds.push(rule.id);
    }
    await publishDraft(db, null, { note: "seed" });
  });
  const passwordHash = await hashPassword("seed-password-123");
  const agents = await db
    .insert(users)
    .values(
      ["Ana", "Ben", "Chloé", "Dev", "Eli"].map((name, index) => ({
        email: `seed-agent-${index + 1}-${now.getTime()}@example.test`,
        name: `${name} (seed)`,
        role: "agent" as const,
        passwordHash,
      })),
    )
    .returning({ id: users.id });
  const agentIds = `{${agents.map((agent) => agent.id).join(",")}}`;
  const rules = `{${ruleIds.join(",")}}`;
  const start = new Date(now.getTime() - options.days * 86_400_000);

  await db.transaction(async (tx) => {
    // History, not live traffic: no NOTIFY per event, no webhook fan-out.
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`set local synchronous_commit = off`);
    await step("contacts and threads", async () => {
      await tx.execute(sql`
        create temp table seed_contacts on commit drop as
        select n, gen_random_uuid() as contact_id, gen_random_uuid() as thread_id,
          ${start}::timestamptz + (random() ^ 1.5) * (${now}::timestamptz - ${start}::timestamptz) as first_seen
        from generate_series(1, ${options.contacts}) n`);
      await tx.execute(sql`
        insert into contacts (id, session_id, wa_id, name, relationship, priority, tags, first_seen_at)
        select contact_id, ${sessionId}::uuid, '+1' || (2000000000 + n)::text, 'Seed contact ' || n,
          (array['client', 'client', 'client', 'colleague', 'family', 'friend', 'other'])[1 + (n % 7)]::relationship,
          (n % 10 = 0)::int, case when n % 13 = 0 then array['vip'] else '{}' end, first_seen
        from seed_contacts`);
      await tx.execute(sql`
        insert into threads (id, contact_id, mode) select thread_id, contact_id, 'bot' from seed_contacts`);
    });
    await step("conversation turns", async () => {
      // Hour-of-week weights: busy 10-12 and 14-18 on weekdays, quieter Saturdays, quiet Sundays and nights.
      await tx.execute(sql`
        create temp table seed_slots on commit drop as
        with weights as (
          select s as slot,
            (case when s / 24 = 6 then 0.35 when s / 24 = 5 then 0.7 else 1.0 end) *
            (case when s % 24 between 10 and 11 then 3.0 when s % 24 between 14 and 17 then 2.5
                  when s % 24 between 8 and 20 then 1.5 when s % 24 between 0 and 5 then 0.15 else 0.6 end) as w
          from generate_series(0, 167) s
        )
        select slot, sum(w) over (order by slot) / sum(w) over () as hi from weights`);
      await tx.execute(sql`create index on seed_slots (hi)`);
      await tx.execute(sql`
        create temp table seed_turns on commit drop as
        with picked as (
          select t, 1 + floor(random() * ${options.contacts})::int as n, random() as r, random() as kind,
            floor(random() * ${Math.ceil(options.days / 7)})::int as week, random() as minute
          -- A few more than needed: turns placed before the period's first day are dropped below.
          from generate_series(1, ${Math.ceil(turns * 1.1)}) t
        ), placed as (
          select p.*, (select slot from seed_slots s where s.hi >= p.r order by s.hi limit 1) as slot from picked p
        )
        select t, c.contact_id, c.thread_id,
          least(${now}::timestamptz - interval '1 minute',
            date_trunc('week', ${start}::timestamptz) + make_interval(days => week * 7, hours => slot, secs => minute * 3600)) as in_at,
          case when kind < 0.60 then 'rule' when kind < 0.88 then 'ai' when kind < 0.96 then 'agent' else 'rule' end as source,
          case when kind >= 0.88 and kind < 0.96 then 60 + random() * 900 else 0.4 + random() * 4 end as reply_s,
          (${agentIds}::uuid[])[1 + floor(random() * 5)::int] as agent_id,
          (${rules}::uuid[])[1 + floor(random() * 9)::int] as rule_id,
          random() as fate
        from placed p join seed_contacts c on c.n = p.n
        where date_trunc('week', ${start}::timestamptz) + make_interval(days => week * 7, hours => slot) >= ${start}::timestamptz
        limit ${turns}`);
    });
    await step("messages", async () => {
      await tx.execute(
        sql`alter table seed_turns add column in_id uuid default gen_random_uuid(), add column out_id uuid default gen_random_uuid()`,
      );
      await tx.execute(sql`
        insert into messages (id, session_id, thread_id, direction, wa_message_id, body, source, status, created_at, processed_at)
        select in_id, ${sessionId}::uuid, thread_id, 'in', 'seed-in-' || t, 'Hello, a question about my order', 'contact', 'received', in_at, in_at
        from seed_turns order by in_at`);
      await tx.execute(sql`
        insert into messages (id, session_id, thread_id, direction, wa_message_id, body, source, rule_id, rule_version,
          author_user_id, status, reply_to_message_id, ai_latency_ms, created_at, queued_at, sent_at, delivered_at, read_at, failed_at, error)
        select out_id, ${sessionId}::uuid, thread_id, 'out', case when fate < 0.99 then 'seed-out-' || t end, 'Thanks! Here is the answer.',
          source::message_source, case when source = 'rule' then rule_id end, case when source = 'rule' then 1 end,
          case when source = 'agent' then agent_id end,
          case when fate >= 0.99 then 'failed' when fate < 0.6 then 'read' else 'delivered' end::message_status,
          case when source <> 'agent' then in_id end,
          case when source = 'ai' then (600 + random() * 2400)::int end,
          in_at + make_interval(secs => reply_s), in_at + make_interval(secs => reply_s),
          case when fate < 0.99 then in_at + make_interval(secs => reply_s + 1) end,
          case when fate < 0.99 then in_at + make_interval(secs => reply_s + 3) end,
          case when fate < 0.6 then in_at + make_interval(secs => reply_s + 40) end,
          case when fate >= 0.99 then in_at + make_interval(secs => reply_s + 30) end,
          case when fate >= 0.99 then 'seed: number unreachable' end
        from seed_turns order by in_at`);
    });
    await step("events", async () => {
      await tx.execute(sql`
        insert into events (type, session_id, contact_id, thread_id, message_id, payload, at)
        select 'message.received', ${sessionId}::uuid, contact_id, thread_id, in_id, '{"type":"text","flags":[]}'::jsonb, in_at from seed_turns
        union all
        select 'message.sent', ${sessionId}::uuid, contact_id, thread_id, out_id, '{}'::jsonb, in_at + make_interval(secs => reply_s + 1)
        from seed_turns where fate < 0.99
        union all
        select 'message.status', ${sessionId}::uuid, contact_id, thread_id, out_id, '{"status":"delivered"}'::jsonb, in_at + make_interval(secs => reply_s + 3)
        from seed_turns where fate < 0.99
        union all
        select 'message.status', ${sessionId}::uuid, contact_id, thread_id, out_id, '{"status":"read"}'::jsonb, in_at + make_interval(secs => reply_s + 40)
        from seed_turns where fate < 0.6
        union all
        select 'message.failed', ${sessionId}::uuid, contact_id, thread_id, out_id, '{"error":"seed: number unreachable"}'::jsonb, in_at + make_interval(secs => reply_s + 30)
        from seed_turns where fate >= 0.99
        union all
        select 'rule.fired', ${sessionId}::uuid, contact_id, thread_id, in_id,
          jsonb_build_object('ruleId', rule_id, 'rule', 'seed', 'version', 1), in_at
        from seed_turns where source = 'rule'
        union all
        select 'ai.replied', ${sessionId}::uuid, contact_id, thread_id, out_id,
          jsonb_build_object('provider', 'gemini', 'model', 'gemini-3.8-flash', 'latencyMs', (600 + random() * 2400)::int,
            'outcome', case when fate < 0.05 then 'fallback' else 'ok' end), in_at + make_interval(secs => reply_s)
        from seed_turns where source = 'ai'
        union all
        select 'thread.handoff', ${sessionId}::uuid, contact_id, thread_id, in_id, jsonb_build_object('by', 'rule', 'ruleId', rule_id), in_at
        from seed_turns where source = 'agent'
        union all
        select 'thread.assigned', ${sessionId}::uuid, contact_id, thread_id, null,
          jsonb_build_object('by', agent_id, 'assigneeId', agent_id, 'takeover', true), in_at + make_interval(secs => reply_s / 2)
        from seed_turns where source = 'agent'
        union all
        select 'thread.released', ${sessionId}::uuid, contact_id, thread_id, null, jsonb_build_object('by', agent_id),
          in_at + make_interval(secs => reply_s + 600)
        from seed_turns where source = 'agent' and fate < 0.7`);
    });
    await step("AI calls", async () => {
      await tx.execute(sql`
        insert into analytics_ai_calls (at, session_id, latency_ms, fallback)
        select at, session_id, (payload->>'latencyMs')::int, payload->>'outcome' = 'fallback'
        from events where type = 'ai.replied' and session_id = ${sessionId}::uuid`);
    });
    await step("rule hits, evaluations, response times", async () => {
      await tx.execute(sql`
        insert into rule_hits (rule_id, version, message_id, thread_id, matched, at)
        select rule_id, 1, in_id, thread_id, true, in_at from seed_turns where source = 'rule'`);
      await tx.execute(sql`
        insert into rule_evaluations (rule_id, version, evaluations, matches, at)
        select r.id, 1, count(*)::int, count(*) filter (where t.rule_id = r.id and t.source = 'rule')::int, date_trunc('hour', t.in_at)
        from seed_turns t cross join unnest(${rules}::uuid[]) r(id)
        group by r.id, date_trunc('hour', t.in_at)`);
      await tx.execute(sql`
        insert into analytics_responses (thread_id, session_id, responder, user_id, waiting_since, responded_at, response_ms)
        select thread_id, ${sessionId}::uuid, case when source = 'agent' then 'human' else 'bot' end,
          case when source = 'agent' then agent_id end, in_at, in_at + make_interval(secs => reply_s), (reply_s * 1000)::int
        from seed_turns`);
    });
    await step("webhook deliveries", async () => {
      await tx.execute(sql`
        with endpoint as (
          insert into webhooks (url, description, secret, events)
          values ('https://crm.example.com/hooks/switchboard', 'Seed CRM', '\\x00'::bytea, '{message.received}') returning id
        ), chosen as (
          select e.id as event_id, e.at, random() as fate from events e
          where e.type = 'message.received' and random() < 0.1
        ), deliveries as (
          insert into webhook_deliveries (webhook_id, event_id, event_type, payload, status, attempts, dispatched_at, delivered_at, created_at)
          select (select id from endpoint), event_id, 'message.received', '{}', 'delivered',
            case when fate < 0.1 then 2 else 1 end, at, at + interval '2 seconds', at
          from chosen returning id, created_at, attempts
        )
        insert into webhook_attempts (delivery_id, attempt, at, http_status, latency_ms)
        select id, 1, created_at + interval '1 second', case when attempts = 2 then 503 else 200 end, 40 + (random() * 200)::int from deliveries
        union all
        select id, 2, created_at + interval '6 seconds', 200, 40 + (random() * 200)::int from deliveries where attempts = 2`);
    });
    await step("contacts and threads: last activity", async () => {
      await tx.execute(sql`
        update contacts c set last_interaction_at = x.last from (
          select contact_id, max(in_at) as last from seed_turns group by contact_id) x
        where c.id = x.contact_id`);
      await tx.execute(sql`
        update threads t set last_message_at = x.last from (
          select thread_id, max(in_at) as last from seed_turns group by thread_id) x
        where t.id = x.thread_id`);
    });
  });
  // VACUUM too: it sets the visibility map, without which index-only scans read the table anyway.
  await step("vacuum analyze", () => db.execute(sql`vacuum analyze`));
  await step("analytics rollup", () => runAnalyticsRollup(db, now));
  // The rollup's own tables were filled after the vacuum: their statistics too, for the queries' plans.
  await step("analyze rollups", () =>
    db.execute(sql`analyze analytics_hourly, analytics_response_hist, analytics_thread_days, analytics_rollup_state`),
  );
  const { rows } = await db.execute<{ messages: number; contacts: number; events: number }>(sql`
    select (select count(*)::int from messages) as messages, (select count(*)::int from contacts) as contacts,
      (select count(*)::int from events) as events`);
  return rows[0]!;
}
