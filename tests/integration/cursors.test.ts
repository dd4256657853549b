/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   The API answers untyped JSON; the assertions are what check its shape. */
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { createBoss } from "~/server/jobs/boss";
import { INVALID_CURSOR } from "~/server/lib/cursor";
import { ingestInboundBatch } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { databaseFingerprint } from "../support/fingerprint";
import { usePreparedDatabase } from "../support/pipeline";
import { restClient, type TApiRequest, type TApiResponse } from "../support/rest-client";
import { trpcHttpClient } from "../support/trpc-http";
import { testContext } from "../support/trpc-context";

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let admin: TSessionUser;
let key: string;
let call: (method: string, path: string, request?: TApiRequest) => Promise<TApiResponse>;
let webhookId: string;

const base64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const uuid = "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11";

/** Well-formed base64 of the wrong shape, and dates Postgres cannot hold. */
const FORGED_TEXT_CURSORS = [
  base64({ id: uuid }),
  base64({ key: ["2026-01-01T00:00:00Z"], id: uuid }),
  base64({ key: "yesterday", id: uuid }),
  base64({ key: "2026-01-01T00:00:00.000000Z", id: "not-a-uuid" }),
  base64({ key: "0000-01-01T00:00:00Z", id: uuid }),
  base64({ key: "2026-02-30T00:00:00Z", id: uuid }),
  base64({ at: "-271821-04-20T00:00:00.000Z", id: uuid }),
  base64('{"key":"2026-01-01T00:00:00Z","id":'),
  base64('{"__proto__":{"key":"2026-01-01T00:00:00Z"},"id":"' + uuid + '"}'),
  base64("2026-01-01T00:00:00.000Z|" + uuid),
  base64(null),
  base64([]),
  // The cursor's text passes the NUL check as base64; what it decodes to must not reach SQL.
  base64({ key: "a\u0000b", id: uuid }),
  base64({ key: "a\ud800b", id: uuid }),
  "%%%not base64%%%",
  "",
];

/** Cursors given as values (tRPC): wrong types, impossible dates, foreign shapes. */
const FORGED_VALUE_CURSORS: unknown[] = [
  { id: uuid },
  { at: "0000-01-01T00:00:00Z", id: uuid },
  { at: "-271821-04-20T00:00:00.000Z", id: uuid },
  { at: new Date(-8.64e15), id: uuid },
  { at: new Date(8.64e15), id: uuid },
  { at: ["2026-01-01T00:00:00Z"], id: uuid },
  { at: "2026-01-01T00:00:00Z", id: "x" },
  "a string",
  42,
  [],
];

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  admin = await insertUser(database.db, "admin");
  const caller = createCaller(
    testContext({
      db: database.db,
      user: admin,
      webhooks: { appSecret: "x".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
    }),
  );
  key = (await caller.apiKeys.create({ name: "Cursors", scopes: ["read"] })).key;
  webhookId = (await caller.webhooks.create({ url: "http://127.0.0.1:9/hook" })).endpoint.id;
  call = restClient({ db: database.db, boss });
  // Five threads whose latest messages share one millisecond (microseconds apart).
  const results = await ingestInboundBatch(
    database.db,
    boss,
    [1, 2, 3, 4, 5].map((n) => ({
      sessionId: database.sessionId,
      waMessageId: `cursor-${n}`,
      from: `+1415555017${n}`,
      body: `hello ${n}`,
    })),
  );
  const threadIds = results.map((result) => (result.status === "stored" ? result.threadId : ""));
  await database.db.execute(sql`
    update threads set last_message_at = '2026-03-01T10:00:00.123000Z'::timestamptz + (ord || ' microseconds')::interval
    from unnest(${`{${threadIds.join(",")}}`}::uuid[]) with ordinality as t(id, ord) where threads.id = t.id`);
  await database.db.execute(sql`
    update contacts set last_interaction_at = '2026-03-01T10:00:00.123000Z'::timestamptz + (right(wa_id, 1) || ' microseconds')::interval`);
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

describe("forged cursors are a 400, never a 500", () => {
  it("[REST] GET /contacts and GET /threads refuse every forged cursor with 400 and the same message", async () => {
    for (const path of ["/contacts", "/threads"]) {
      for (const cursor of FORGED_TEXT_CURSORS.filter(Boolean)) {
        const response = await call("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { key });
        expect(response.status, `${path} ${cursor}`).toBe(400);
        expect(response.body.error.fields, `${path} ${cursor}`).toEqual({ cursor: INVALID_CURSOR });
      }
    }
  });

  it("[tRPC] contacts.list refuses forged cursors in every sort, and another sort's cursor", async () => {
    const client = trpcHttpClient(() => testContext({ db: database.db, user: admin }));
    const byName = await client("query", "contacts.list", { sort: "name", limit: 1 });
    const nameCursor = (byName.data as { json: { next: string } }).json.next;
    expect(nameCursor).toEqual(expect.any(String));
    // Any text is a name, so the name sort refuses only cursors of the wrong shape.
    const wrongShape = FORGED_TEXT_CURSORS.filter(
      (cursor) =>
        ![
          base64({ key: "yesterday", id: uuid }),
          base64({ key: "0000-01-01T00:00:00Z", id: uuid }),
          base64({ key: "2026-02-30T00:00:00Z", id: uuid }),
        ].includes(cursor),
    );
    for (const sort of ["recent", "newest", "name"] as const) {
      for (const cursor of sort === "name" ? wrongShape : [...FORGED_TEXT_CURSORS, nameCursor]) {
        if (!cursor) continue;
        const answer = await client("query", "contacts.list", { sort, cursor });
        expect(answer, `${sort} ${cursor}`).toMatchObject({ status: 400, fieldErrors: { cursor: INVALID_CURSOR } });
      }
    }
  });

  it.each([
    ["inbox.list", (cursor: unknown) => ({ filter: "all", cursor })],
    ["audit.list", (cursor: unknown) => ({ cursor })],
    ["webhooks.deliveries", (cursor: unknown) => ({ webhookId, cursor })],
  ] as const)("[tRPC] %s refuses forged cursors with 400", async (path, input) => {
    const client = trpcHttpClient(() => testContext({ db: database.db, user: admin }));
    const before = await databaseFingerprint(database.db);
    for (const cursor of FORGED_VALUE_CURSORS) {
      const answer = await client("query", path, input(cursor));
      expect(answer, `${path} ${JSON.stringify(cursor)}`).toMatchObject({
        status: 400,
        fieldErrors: { cursor: INVALID_CURSOR },
      });
    }
    expect(await databaseFingerprint(database.db)).toBe(before);
  });
});

describe("pages lose no rows that share a millisecond", () => {
  it("[REST] GET /threads pages through threads microseconds apart, each once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TApiResponse = await call("GET", `/threads?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key });
      expect(page.status).toBe(200);
      seen.push(...(page.body.threads as { id: string }[]).map((thread) => thread.id));
      cursor = page.body.next as string | null;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("[tRPC] inbox.list (all) and contacts.list (recent) page through them, each once", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    const threads: string[] = [];
    let at: { at: string; id: string } | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.inbox.list>> = await caller.inbox.list({
        filter: "all",
        limit: 2,
        cursor: at,
      });
      threads.push(...page.threads.map((thread) => thread.threadId));
      at = page.nextCursor;
    } while (at);
    expect(new Set(threads).size).toBe(5);
    const contacts: string[] = [];
    let next: string | undefined;
    do {
      const page: Awaited<ReturnType<typeof caller.contacts.list>> = await caller.contacts.list({
        limit: 2,
        cursor: next,
      });
      contacts.push(...page.contacts.map((contact) => contact.id));
      next = page.next ?? undefined;
    } while (next);
    expect(new Set(contacts).size).toBe(5);
  });

  it("[REST] a page's own cursor still works (the first page, then the next)", async () => {
    const first = await call("GET", "/contacts?limit=3", { key });
    const second = await call("GET", `/contacts?limit=3&cursor=${first.body.next as string}`, { key });
    expect(second.status).toBe(200);
    expect([...first.body.contacts, ...second.body.contacts].map((contact: { id: string }) => contact.id)).toHaveLength(
      5,
    );
  });
});
