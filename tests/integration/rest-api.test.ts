/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   The API answers untyped JSON; the assertions are what check its shape. */
import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiIdempotency, messages, threadNotes, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { IDEMPOTENCY_KEPT_DAYS, pruneApiIdempotency } from "~/server/rest/handler";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { restClient } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

/** Every answer is checked against the OpenAPI document (tests/support/rest-client.ts). */
function api(pipeline: TPipeline, ratePerMinute = 600) {
  return restClient({ db: pipeline.db, boss: pipeline.boss, ratePerMinute });
}

async function keys(pipeline: TPipeline) {
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  const write = await admin.apiKeys.create({ name: "CRM", scopes: ["read", "write"] });
  const read = await admin.apiKeys.create({ name: "Reports", scopes: ["read"] });
  return { admin, write, read };
}

describe("REST API", () => {
  it("sends a message through the pipeline once per idempotency key, and reports its status as it moves", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const { write } = await keys(pipeline);
    const idempotencyKey = randomUUID();
    const send = () =>
      call("POST", "/messages", {
        key: write.key,
        body: { to: "+1 415 555 0123", body: "Your order has shipped." },
        headers: { "idempotency-key": idempotencyKey },
      });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body.message).toMatchObject({
      status: "queued",
      direction: "out",
      source: "api",
      body: "Your order has shipped.",
    });
    const again = await send();
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.message.id).toBe(first.body.message.id);
    // Both at once with a new key: still one message.
    const concurrentKey = randomUUID();
    const both = await Promise.all(
      [1, 2].map(() =>
        call("POST", "/messages", {
          key: write.key,
          body: { to: "+14155550123", body: "Second" },
          headers: { "idempotency-key": concurrentKey },
        }),
      ),
    );
    expect(both[0]!.body.message.id).toBe(both[1]!.body.message.id);
    // The same key for another request is refused.
    const reused = await call("POST", "/messages", {
      key: write.key,
      body: { to: "+14155550123", body: "Something else" },
      headers: { "idempotency-key": idempotencyKey },
    });
    expect(reused).toMatchObject({ status: 422, body: { error: { code: "unprocessable" } } });
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBe(2);
    // Answers are kept a week: the hourly prune leaves today's and drops older ones.
    expect(await pruneApiIdempotency(pipeline.db)).toBe(0);
    await pipeline.db.insert(apiIdempotency).values({
      keyId: (await pipeline.db.select({ keyId: apiIdempotency.keyId }).from(apiIdempotency).limit(1))[0]!.keyId,
      idempotencyKey: "from-last-month",
      fingerprint: "x",
      response: {},
      createdAt: new Date(Date.now() - (IDEMPOTENCY_KEPT_DAYS + 1) * 24 * 3600_000),
    });
    expect(await pruneApiIdempotency(pipeline.db)).toBe(1);
    expect(await pipeline.db.$count(apiIdempotency)).toBe(2);

    const replies = await waitForReplies(pipeline.db, "+14155550123", 2, "read");
    expect(replies.map((reply) => reply.body)).toEqual(["Your order has shipped.", "Second"]);
    const status = await call("GET", `/messages/${first.body.message.id}`, { key: write.key });
    expect(status).toMatchObject({ status: 200, body: { id: first.body.message.id, status: "read" } });
    expect(status.body.sentAt).toEqual(expect.any(String));
  });

  it("validates input with field messages, and answers JSON errors for a missing key, a bad number and unknown paths", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const { write } = await keys(pipeline);
    expect(await call("GET", "/contacts")).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect(await call("GET", "/contacts", { key: "sb_nope" })).toMatchObject({ status: 401 });
    expect(await call("GET", "/nothing", { key: write.key })).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect(await call("POST", "/messages", { key: write.key, body: { to: "+14155550123", body: "x" } })).toMatchObject({
      status: 400,
      body: { error: { fields: { "Idempotency-Key": "Required" } } },
    });
    const bad = await call("POST", "/messages", {
      key: write.key,
      body: { to: "12", body: "" },
      headers: { "idempotency-key": "k1" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({ body: "The message is empty" });
    const badNumber = await call("POST", "/messages", {
      key: write.key,
      body: { to: "12", body: "hi" },
      headers: { "idempotency-key": "k2" },
    });
    expect(badNumber).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request", fields: { to: expect.any(String) } } },
    });
    expect(await call("GET", `/messages/${randomUUID()}`, { key: write.key })).toMatchObject({ status: 404 });
    expect(await call("GET", "/messages/not-a-uuid", { key: write.key })).toMatchObject({
      status: 400,
      body: { error: { fields: { "path.id": expect.any(String) } } },
    });
  });

  it("enforces scopes, refuses a revoked key, and rate-limits per key with Retry-After", async () => {
    const pipeline = await startPipeline();
    const { admin, write, read } = await keys(pipeline);
    const call = api(pipeline, 5);
    // The limit counts per wall-clock minute: keep the whole check inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    expect((await call("GET", "/contacts", { key: read.key })).status).toBe(200);
    expect(await call("PUT", "/contacts", { key: read.key, body: { phone: "+14155550188" } })).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: 'This key lacks the "write" scope.' } },
    });
    for (let i = 0; i < 4; i += 1) expect((await call("GET", "/threads", { key: read.key })).status).toBe(200);
    const limited = await call("GET", "/threads", { key: read.key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another key has its own budget.
    expect((await call("GET", "/threads", { key: write.key })).status).toBe(200);

    await admin.apiKeys.revoke({ id: write.id });
    expect(await call("GET", "/threads", { key: write.key })).toMatchObject({
      status: 401,
      body: { error: { message: "This API key was revoked." } },
    });
    const list = await admin.apiKeys.list();
    expect(list.find((key) => key.id === write.id)).toMatchObject({
      revokedAt: expect.any(Date),
      prefix: write.prefix,
    });
    expect(JSON.stringify(list)).not.toContain(write.key);
  });

  it("upserts contacts by number, lists threads and messages, hands off and releases, and injects simulator messages", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const { write } = await keys(pipeline);
    const created = await call("PUT", "/contacts", {
      key: write.key,
      body: { phone: "+1 (415) 555-0177", name: "Lee", tags: ["vip"] },
    });
    expect(created).toMatchObject({ status: 201, body: { phone: "+14155550177", name: "Lee", tags: ["vip"] } });
    const updated = await call("PUT", "/contacts", { key: write.key, body: { phone: "+14155550177", priority: 3 } });
    expect(updated).toMatchObject({
      status: 200,
      body: { id: created.body.id, name: "Lee", priority: 3, tags: ["vip"] },
    });
    const listed = await call("GET", "/contacts?search=Lee", { key: write.key });
    expect(listed.body.contacts.map((contact: { id: string }) => contact.id)).toEqual([created.body.id]);

    const injected = await call("POST", "/simulator/messages", {
      key: write.key,
      body: { from: "+14155550177", body: "hello from the API" },
    });
    expect(injected.status).toBe(202);
    await waitForReplies(pipeline.db, "+14155550177", 1);
    const page = await call("GET", "/threads", { key: write.key });
    const thread = page.body.threads.find(
      (entry: { contact: { phone: string } }) => entry.contact.phone === "+14155550177",
    );
    expect(thread).toMatchObject({ mode: "bot", contact: { name: "Lee" } });
    const history = await call("GET", `/threads/${thread.id}/messages?limit=10`, { key: write.key });
    expect(history.body.messages.map((message: { direction: string }) => message.direction)).toEqual(["out", "in"]);

    expect(
      await call("POST", `/threads/${thread.id}/handoff`, { key: write.key, body: { note: "VIP" } }),
    ).toMatchObject({
      status: 200,
      body: { mode: "human", assignedUserId: null },
    });
    await waitFor(
      async () =>
        (await pipeline.db.select().from(threads).where(eq(threads.id, thread.id)))[0]?.mode === "human"
          ? true
          : undefined,
      5_000,
      "human mode",
    );
    expect(
      await pipeline.db.select({ body: threadNotes.body }).from(threadNotes).where(eq(threadNotes.threadId, thread.id)),
    ).toEqual([{ body: "VIP" }]);
    expect(await call("POST", `/threads/${thread.id}/release`, { key: write.key })).toMatchObject({
      status: 200,
      body: { mode: "bot" },
    });
  });

  it("starts a flow in a thread with variables; refuses an unknown flow and a person's thread", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const { write } = await keys(pipeline);
    const flowId = await publishFlowRows(pipeline.db, {
      name: "Delivery check",
      definition: {
        start: "ask",
        steps: [
          {
            id: "ask",
            type: "ask",
            text: "Is {{var.order}} with you, {{contact.name}}?",
            answer: "text",
            variable: "reply",
            next: null,
          },
        ],
      },
    });
    await call("PUT", "/contacts", { key: write.key, body: { phone: "+14155550178", name: "Kim" } });
    await call("POST", "/simulator/messages", { key: write.key, body: { from: "+14155550178", body: "hi" } });
    await waitFor(
      async () => (await call("GET", "/threads", { key: write.key })).body.threads[0]?.id as string | undefined,
      10_000,
      "the thread",
    );
    const thread = (await call("GET", "/threads", { key: write.key })).body.threads[0];
    const started = await call("POST", `/threads/${thread.id}/flow`, {
      key: write.key,
      body: { flowId, variables: { order: "#1042" } },
    });
    expect(started).toMatchObject({ status: 201, body: { flowId, version: 1, stepId: "ask", ended: false } });
    await waitForReplies(pipeline.db, "+14155550178", 1);
    const sent = await pipeline.db.select({ body: messages.body }).from(messages).where(eq(messages.source, "flow"));
    expect(sent.map((row) => row.body)).toEqual(["Is #1042 with you, Kim?"]);

    expect(
      await call("POST", `/threads/${thread.id}/flow`, { key: write.key, body: { flowId: randomUUID() } }),
    ).toMatchObject({ status: 404, body: { error: { message: "No published, enabled flow has this id." } } });
    expect(
      await call("POST", `/threads/${thread.id}/flow`, {
        key: write.key,
        body: { flowId, variables: { "Bad-Name": 1 } },
      }),
    ).toMatchObject({ status: 400 });
    await call("POST", `/threads/${thread.id}/handoff`, { key: write.key, body: { note: null } });
    expect(await call("POST", `/threads/${thread.id}/flow`, { key: write.key, body: { flowId } })).toMatchObject({
      status: 409,
    });
  });

  it("serves a valid OpenAPI 3.1 document describing every operation", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const document = await call("GET", "/openapi.json");
    expect(document.status).toBe(200);
    const result = await new Validator().validate(document.body as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(document.body.paths).sort()).toEqual([
      "/contacts",
      "/media",
      "/messages",
      "/messages/{id}",
      "/scheduled-messages/{id}",
      "/scheduled-messages/{id}/cancel",
      "/simulator/messages",
      "/threads",
      "/threads/{id}/flow",
      "/threads/{id}/handoff",
      "/threads/{id}/messages",
      "/threads/{id}/release",
    ]);
    expect(document.body.paths["/messages"].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true })]),
    );
  });
});
