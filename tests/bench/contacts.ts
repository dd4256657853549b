import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { getContact, listContacts, type TListContactsInput } from "~/server/contacts/contacts";
import { getSimulatorSessionId } from "~/server/sessions/sessions";
import { withBenchDatabase } from "./database";
import { note, percentile, report } from "./report";

const BENCH = "contacts";
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const MESSAGES_PER_CONTACT = 10;

async function timed(iterations: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i += 1) await run(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * `npm run bench -- contacts`: 100,000 contacts and 1,000,000 messages, then p95 of the contacts
 * list (first page, a filtered page, a deep page, a search) and of the contact page.
 */
export async function runContactsBench() {
  await withBenchDatabase(async ({ db }) => {
    const sessionId = await getSimulatorSessionId(db);
    const started = Date.now();
    await db.execute(sql`
      insert into contacts (session_id, wa_id, name, relationship, priority, tags, opted_out, first_seen_at, last_interaction_at)
      select ${sessionId}::uuid, '+1555' || lpad(n::text, 7, '0'),
        (array['Ana','Bruno','Carla','Diego','Elena','Felipe','Gabi','Hugo','Iris','João'])[1 + n % 10] || ' ' ||
          (array['Silva','Souza','Lima','Costa','Rocha','Alves','Nunes','Pires'])[1 + (n / 10) % 8] || ' ' || n,
        (array['family','friend','client','colleague','other']::relationship[])[1 + n % 5],
        n % 4,
        case when n % 7 = 0 then array['lead'] when n % 11 = 0 then array['vip', 'lead'] else '{}'::text[] end,
        n % 50 = 0,
        now() - make_interval(days => n % 365),
        case when n % 10 = 0 then null else now() - make_interval(mins => (n * 37) % 129600) end
      from generate_series(1, ${CONTACTS}) as n`);
    await db.execute(
      sql`insert into threads (contact_id, last_message_at) select id, last_interaction_at from contacts`,
    );
    await db.execute(sql`
      insert into messages (session_id, thread_id, direction, wa_message_id, body, source, status, created_at)
      select ${sessionId}::uuid, t.id, case when k % 2 = 0 then 'in' else 'out' end::message_direction,
        case when k % 2 = 0 then t.id::text || '-' || k end,
        'message ' || k, case when k % 2 = 0 then 'contact' else 'rule' end::message_source,
        case when k % 2 = 0 then 'received' else 'read' end::message_status,
        now() - make_interval(mins => k * 30)
      from threads t cross join generate_series(1, ${MESSAGES_PER_CONTACT}) as k`);
    await db.execute(sql`analyze`);
    note(
      `seeded ${CONTACTS} contacts and ${CONTACTS * MESSAGES_PER_CONTACT} messages in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );

    // A cursor 50,000 rows deep, reached by paging (the way a person would get there).
    let deep: string | undefined;
    for (let page = 0; page < Math.min(250, CONTACTS / 200 / 2); page += 1) {
      deep = (await listContacts(db, { limit: 200, cursor: deep })).next ?? undefined;
    }
    const cases: [string, TListContactsInput][] = [
      ["list_first_page", {}],
      ["list_filtered_page", { relationship: "client", tag: "lead", optedOut: false }],
      ["list_deep_page", { cursor: deep }],
      ["list_by_name_page", { sort: "name" }],
      ["list_search", { search: "Lima 4242" }],
    ];
    for (const [name, input] of cases) {
      const samples = await timed(200, () => listContacts(db, { limit: 50, ...input }));
      report(BENCH, `${name}_p50_ms`, percentile(samples, 50), { contacts: CONTACTS });
      report(BENCH, `${name}_p95_ms`, percentile(samples, 95), { contacts: CONTACTS });
    }
    const ids = (await listContacts(db, { limit: 200 })).contacts.map((contact) => contact.id);
    const page = await timed(200, (index) => getContact(db, ids[index % ids.length]!));
    report(BENCH, "contact_page_p50_ms", percentile(page, 50), { contacts: CONTACTS });
    report(BENCH, "contact_page_p95_ms", percentile(page, 95), { contacts: CONTACTS });
  });
}
