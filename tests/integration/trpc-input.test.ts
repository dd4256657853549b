import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSessionUser } from "~/server/auth/roles";
import { appRouter } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { databaseFingerprint, fingerprintDifference } from "../support/fingerprint";
import { usePreparedDatabase } from "../support/pipeline";
import { trpcHttpClient } from "../support/trpc-http";
import { testContext } from "../support/trpc-context";

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let admin: TSessionUser;
let threadId: string;

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  admin = await insertUser(database.db, "admin");
  const stored = await ingestInbound(database.db, boss, {
    sessionId: database.sessionId,
    waMessageId: "in-1",
    from: "+14155550150",
    body: "hi",
  });
  if (stored.status !== "stored") throw new Error("no thread");
  threadId = stored.threadId;
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

function client(user: TSessionUser | null) {
  return trpcHttpClient(() => testContext({ db: database.db, user, boss }));
}

/** Calls over HTTP and checks that the refused call wrote nothing. */
async function refused(type: "query" | "mutation", path: string, input: unknown, user: TSessionUser | null = admin) {
  const before = await databaseFingerprint(database.db);
  const answer = await client(user)(type, path, input);
  expect(fingerprintDifference(before, await databaseFingerprint(database.db))).toEqual([]);
  return answer;
}

describe("tRPC: text Postgres cannot store", () => {
  it("[tRPC] refuses a NUL in a contact's name with 400, naming the field as the form shows it", async () => {
    const answer = await refused("mutation", "contacts.save", {
      id: null,
      contact: { phone: "+14155550151", name: "Ana\u0000Lima" },
    });
    expect(answer).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(answer.message).toMatch(/^Name: contains a NUL character/);
    expect(answer.fieldErrors).toEqual({ "contact.name": expect.stringContaining("NUL character") });
  });

  it.each([
    ["mutation", "inbox.reply", "body", "Message", () => ({ threadId, body: "hello\u0000" })],
    ["mutation", "inbox.note", "body", "Message", () => ({ threadId, body: "\u0000" })],
    ["query", "contacts.list", "search", "Search", () => ({ search: "a\u0000" })],
    ["query", "inbox.list", "search", "Search", () => ({ search: "\u0000" })],
    ["mutation", "simulator.send", "name", "Name", () => ({ phone: "+14155550152", name: "x\u0000", body: "hi" })],
    [
      "mutation",
      "contacts.save",
      "contact.tags.1",
      "Tags",
      () => ({ id: null, contact: { phone: "+14155550153", tags: ["a", "\u0000"] } }),
    ],
    [
      "mutation",
      "contacts.save",
      "contact.notes",
      "Notes",
      () => ({ id: null, contact: { phone: "+14155550153", notes: "\u0000" } }),
    ],
    [
      "mutation",
      "inbox.saveCanned",
      "reply.body",
      "Message",
      () => ({ id: null, reply: { title: "T", body: "b\u0000" } }),
    ],
  ] as const)("[tRPC] %s %s refuses NUL in %s, named “%s”", async (type, path, field, label, input) => {
    const answer = await refused(type, path, input());
    expect(answer).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(answer.message?.startsWith(`${label}: `)).toBe(true);
    expect(Object.keys(answer.fieldErrors ?? {})).toEqual([field]);
  });

  it("[tRPC] refuses a lone surrogate, and NUL in a key of a free-form document (rules import)", async () => {
    const surrogate = await refused("mutation", "profiles.save", {
      id: null,
      profile: { name: "Clients \uD800", instructions: "x" },
    });
    expect(surrogate).toMatchObject({
      status: 400,
      fieldErrors: { "profile.name": expect.stringContaining("surrogate") },
    });
    const key = await refused("mutation", "rules.import", { document: { version: 1, rules: [{ "na\u0000me": "x" }] } });
    expect(key).toMatchObject({
      status: 400,
      fieldErrors: { "document.rules.0.na\u0000me": expect.stringContaining("field name") },
    });
  });

  it("[tRPC] checks who is calling before the input: no session is still 401", async () => {
    expect(await refused("mutation", "contacts.save", { id: null, contact: { phone: "\u0000" } }, null)).toMatchObject({
      status: 401,
      code: "UNAUTHORIZED",
    });
    const manager = await insertUser(database.db, "manager");
    expect(
      await refused("mutation", "contacts.save", { id: null, contact: { phone: "\u0000" } }, manager),
    ).toMatchObject({
      status: 403,
    });
  });

  it("[tRPC] every procedure, whatever its builder, refuses a NUL before it runs", async () => {
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" } }>,
    );
    expect(procedures.length).toBeGreaterThan(50);
    const admitted: string[] = [];
    for (const [path, procedure] of procedures) {
      const answer = await refused(procedure._def.type, path, { probe: "a\u0000b" });
      if (answer.status !== 400) admitted.push(`${path}: ${answer.status}`);
    }
    expect(admitted).toEqual([]);
  });

  it("[tRPC] still accepts ordinary text with emoji and other control characters", async () => {
    const answer = await client(admin)("mutation", "inbox.note", { threadId, body: "ok 👋 tab\there\u0001" });
    expect(answer).toMatchObject({ status: 200, code: null });
  });
});

describe("tRPC: 500s the fuzz test found", () => {
  it("[tRPC] marking an unknown conversation read is 404, not a foreign-key 500", async () => {
    const answer = await refused("mutation", "inbox.markRead", {
      threadId: "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11",
      seq: 3,
    });
    expect(answer).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("[tRPC] saving a contact in an unknown session is 404 naming the session, not a foreign-key 500", async () => {
    const answer = await refused("mutation", "contacts.save", {
      id: null,
      contact: { phone: "+14155550155", sessionId: "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11" },
    });
    expect(answer).toMatchObject({ status: 404, fieldErrors: { sessionId: "Unknown session" } });
  });

  it("[tRPC] saving a contact with an unknown context profile is 400 naming the profile, not a foreign-key 500", async () => {
    const answer = await refused("mutation", "contacts.save", {
      id: null,
      contact: { phone: "+14155550157", profileId: "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11" },
    });
    expect(answer).toMatchObject({ status: 400, fieldErrors: { profileId: "Unknown profile" } });
  });

  it.each(["constructor", "prototype"])(
    "[tRPC] a field named %s is refused with 400 (superjson could not even send the error back)",
    async (name) => {
      const input = JSON.parse(`{"phone":"+14155550156",${JSON.stringify(name)}:"x"}`) as unknown;
      // superjson refuses to serialise such an object, so it goes as plain JSON, as an attacker would send it.
      const answer = await trpcHttpClient(() => testContext({ db: database.db, user: admin, boss }))(
        "mutation",
        "simulator.checkNumber",
        undefined,
        { raw: JSON.stringify({ json: input }) },
      );
      expect(answer).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      expect(answer.fieldErrors).toEqual({
        [`input.${name}`]: `Has a field named “${name}”, which is not allowed; rename it`,
      });
    },
  );

  it("[tRPC] a field named __proto__ never reaches a procedure (superjson drops it) nor Object.prototype", async () => {
    const answer = await client(admin)("mutation", "simulator.checkNumber", undefined, {
      raw: '{"json":{"phone":"+14155550156","__proto__":{"polluted":"yes"}}}',
    });
    expect(answer).toMatchObject({ status: 200, data: { json: { waId: "+14155550156" } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("[tRPC] a rule's event data cannot carry a key named constructor (every later read would fail)", async () => {
    const rule = {
      name: "Emit",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "x" }] },
      actions: [{ type: "emit_event", name: "evt", data: JSON.parse('{"constructor":"x"}') as unknown }],
    };
    const before = await databaseFingerprint(database.db);
    const answer = await client(admin)("mutation", "rules.create", undefined, { raw: JSON.stringify({ json: rule }) });
    expect(await databaseFingerprint(database.db)).toBe(before);
    expect(answer).toMatchObject({
      status: 400,
      fieldErrors: { "actions.0.data.constructor": expect.stringContaining("not allowed") },
    });
    const list = await client(admin)("query", "rules.list", undefined);
    expect(list.status).toBe(200);
  });

  it.each([
    ["0000-01-01", "0000-01-02"],
    ["0001-01-01", "0001-01-01"],
    ["9999-12-31", "9999-12-31"],
  ])("[tRPC] analytics for days Postgres cannot reach (%s to %s) are 400, not 500", async (from, to) => {
    for (const path of ["analytics.overview", "analytics.responseTimes", "analytics.rules"]) {
      const answer = await refused("query", path, { from, to });
      expect(answer, path).toMatchObject({ status: 400, fieldErrors: { from: "Pick a day from 1970 to 2999" } });
    }
  });

  it("[tRPC] a date that is not one says so (not “expected date, received Date”)", async () => {
    const answer = await refused("query", "contacts.list", { interactedSince: "1e400" });
    expect(answer).toMatchObject({ status: 400, fieldErrors: { interactedSince: "Not a date" } });
  });
});
