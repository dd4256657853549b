/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   The API answers untyped JSON; the assertions are what check its shape. */
import { randomUUID } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { openApiDocument } from "~/server/rest/openapi";
import { insertUser } from "../support/database";
import { databaseFingerprint, fingerprintDifference } from "../support/fingerprint";
import { usePreparedDatabase } from "../support/pipeline";
import { restClient, type TApiRequest, type TApiResponse } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

type TCall = (method: string, path: string, request?: TApiRequest) => Promise<TApiResponse>;

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let call: TCall;
let key: string;
let threadId: string;

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  call = restClient({ db: database.db, boss });
  const admin = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "admin") }));
  key = (await admin.apiKeys.create({ name: "Fuzz", scopes: ["read", "write"] })).key;
  const sent = await call("POST", "/messages", {
    key,
    body: { to: "+14155550101", body: "hello" },
    headers: { "idempotency-key": randomUUID() },
  });
  threadId = sent.body.threadId as string;
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

/** Calls the API and checks that the refused request wrote nothing. */
async function refused(method: string, path: string, request: TApiRequest = {}) {
  const before = await databaseFingerprint(database.db);
  const response = await call(method, path, { key, ...request });
  expect(fingerprintDifference(before, await databaseFingerprint(database.db))).toEqual([]);
  return response;
}

describe("REST API: text Postgres cannot store", () => {
  it("[REST] refuses a NUL character in a body field with 400 naming its JSON path", async () => {
    const response = await refused("PUT", "/contacts", { body: { phone: "+14155550102", name: "Ana\u0000" } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("bad_request");
    expect(response.body.error.message).toContain("“name”");
    expect(response.body.error.fields).toEqual({ name: expect.stringContaining("NUL character") });
  });

  it("[REST] refuses NUL in message bodies, tags, notes and hand-off notes, naming each field", async () => {
    const cases: [string, string, unknown, string, Record<string, string>?][] = [
      ["POST", "/messages", { to: "+14155550103", body: "a\u0000b" }, "body", { "idempotency-key": randomUUID() }],
      ["PUT", "/contacts", { phone: "+14155550103", tags: ["ok", "b\u0000d"] }, "tags.1"],
      ["PUT", "/contacts", { phone: "+14155550103", notes: "\u0000" }, "notes"],
      ["POST", `/threads/${threadId}/handoff`, { note: "call \u0000 back" }, "note"],
      ["POST", "/simulator/messages", { from: "+14155550103", body: "x", name: "\u0000" }, "name"],
    ];
    for (const [method, path, body, field, headers] of cases) {
      const response = await refused(method, path, { body, headers });
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(Object.keys(response.body.error.fields as object), `${method} ${path}`).toEqual([field]);
    }
  });

  it("[REST] refuses NUL in the query and in the path, naming query.x and path.x", async () => {
    const search = await refused("GET", "/contacts?search=a%00b");
    expect(search.status).toBe(400);
    expect(search.body.error.fields).toEqual({ "query.search": expect.stringContaining("NUL") });
    const path = await refused("GET", "/messages/%00");
    expect(path.status).toBe(400);
    expect(path.body.error.fields).toEqual({ "path.id": expect.stringContaining("NUL") });
  });

  it("[REST] refuses a lone UTF-16 surrogate and a NUL in a field name", async () => {
    const surrogate = await refused("PUT", "/contacts", {
      rawBody: '{"phone":"+14155550104","name":"A\\ud800"}',
      headers: { "content-type": "application/json" },
    });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.fields).toEqual({ name: expect.stringContaining("surrogate") });
    const key = await refused("PUT", "/contacts", {
      rawBody: '{"phone":"+14155550104","na\\u0000me":"A"}',
      headers: { "content-type": "application/json" },
    });
    expect(key.status).toBe(400);
    expect(key.body.error.fields).toEqual({ "na\u0000me": expect.stringContaining("field name") });
  });
});

describe("REST API: paths and content types", () => {
  it("[REST] answers a malformed percent-escape in the path with a JSON 400", async () => {
    for (const path of ["/messages/%ZZ", "/messages/%", "/threads/%E0%A4%A/messages"]) {
      const response = await refused("GET", path);
      expect(response.status, path).toBe(400);
      expect(response.body.error).toMatchObject({ code: "bad_request", message: expect.stringContaining("percent") });
    }
  });

  it("[REST] decodes the path once: an escaped percent stays a percent", async () => {
    // `%252D` is `%2D` once decoded; decoding twice would make it "-" and a valid id.
    const id = randomUUID().replaceAll("-", "%252D");
    const response = await refused("GET", `/messages/${id}`);
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toEqual({ "path.id": expect.any(String) });
  });

  it("[REST] refuses a body that is not sent as application/json with 415, and sends nothing", async () => {
    const body = JSON.stringify({ to: "+14155550105", body: "sent as text" });
    const contentTypes: Record<string, string>[] = [
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
      {},
    ];
    for (const headers of contentTypes) {
      const response = await refused("POST", "/messages", {
        rawBody: body,
        headers: { ...headers, "idempotency-key": randomUUID() },
      });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(response.body.error.code).toBe("unsupported_media_type");
    }
    const put = await refused("PUT", "/contacts", {
      rawBody: '{"phone":"+14155550105"}',
      headers: { "content-type": "text/plain" },
    });
    expect(put.status).toBe(415);
  });

  it("[REST] refuses a body over 1 MB with 413, documented, whether or not it says its length", async () => {
    const big = JSON.stringify({ to: "+14155550105", body: "x".repeat(1_100_000) });
    const response = await refused("POST", "/messages", {
      rawBody: big,
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
    // A body that says it is too large is refused before it is read.
    const declared = await refused("PUT", "/contacts", {
      rawBody: '{"phone":"+14155550105"}',
      headers: { "content-type": "application/json", "content-length": "5000000" },
    });
    expect(declared.status).toBe(413);
  });

  it("[REST] accepts JSON with a charset, and a hand-off with no body at all", async () => {
    const saved = await call("PUT", "/contacts", {
      key,
      rawBody: '{"phone":"+14155550106"}',
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    expect(saved.status).toBe(201);
    const handoff = await call("POST", `/threads/${threadId}/handoff`, { key });
    expect(handoff).toMatchObject({ status: 200, body: { mode: "human" } });
  });

  it("[OpenAPI] documents 201 created and 200 updated for PUT /contacts, and 415 exactly where there is a body", async () => {
    const paths = (
      openApiDocument() as unknown as {
        paths: Record<string, Record<string, { responses: object; requestBody?: object }>>;
      }
    ).paths;
    const put = paths["/contacts"]!.put!;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(["200", "201"]));
    for (const operations of Object.values(paths)) {
      for (const operation of Object.values(operations)) {
        expect("415" in operation.responses).toBe(operation.requestBody !== undefined);
      }
    }
    const created = await call("PUT", "/contacts", { key, body: { phone: "+14155550107" } });
    expect(created.status).toBe(201);
    const updated = await call("PUT", "/contacts", { key, body: { phone: "+14155550107", name: "Bo" } });
    expect(updated.status).toBe(200);
  });
});

describe("REST API: 500s and shapes the fuzz test found", () => {
  it("[REST] a body field named __proto__ is refused with 400 under body.__proto__, so no client merges it into a prototype", async () => {
    const response = await refused("PUT", "/contacts", {
      rawBody: '{"phone":"+14155550108","__proto__":{"polluted":"yes"}}',
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toEqual({ "body.__proto__": expect.stringContaining("not allowed") });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
