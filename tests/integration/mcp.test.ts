import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import pg from "pg";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { contacts, messages, threads, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { EventHub } from "~/server/events/hub";
import { createLogger } from "~/server/logger";
import { handleMcpRequest } from "~/server/mcp/handler";
import { presenceFeedOf } from "~/server/mcp/presence";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { publishContactPresence } from "~/server/sessions/presence";
import { SESSION_REQUESTS_CHANNEL } from "~/server/sessions/requests";
import { simulatorEngine } from "~/workers/engines/simulator";
import { insertUser } from "../support/database";
import { serveHandler } from "../support/mcp-http";
import { deliveriesTo, inbound, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const log = createLogger("test-mcp", "silent");
const hubs: EventHub[] = [];
afterAll(async () => {
  for (const hub of hubs) await hub.close();
});

const TOOLS = [
  "get_contact",
  "get_presence",
  "get_sessions",
  "hand_off_thread",
  "list_threads",
  "read_thread",
  "release_thread",
  "search_contacts",
  "send_message",
];

/** The route's handler behind a real HTTP server on 127.0.0.1, as app/api/mcp/route.ts wires it. */
async function serveMcp(pipeline: TPipeline, ratePerMinute = 600) {
  const hub = new EventHub(pipeline.url, log);
  hubs.push(hub);
  const { url } = await serveHandler((request) =>
    handleMcpRequest(request, {
      db: pipeline.db,
      boss: () => Promise.resolve(pipeline.boss),
      log,
      ratePerMinute,
      presence: presenceFeedOf(hub),
    }),
  );
  return `${url}/api/mcp`;
}

async function keys(pipeline: TPipeline) {
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  const write = await admin.apiKeys.create({ name: "Agent", scopes: ["read", "write"] });
  const read = await admin.apiKeys.create({ name: "Reader", scopes: ["read"] });
  return { write: write.key, read: read.key };
}

/** The SDK's own client over Streamable HTTP, with the key as a bearer token. */
async function connect(endpoint: string, key: string) {
  const client = new Client({ name: "switchboard-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** A tool's JSON answer (the last text part). */
function json<T = Record<string, unknown>>(result: CallToolResult): T {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const last = result.content.at(-1);
  if (last?.type !== "text") throw new Error("no text answer");
  return JSON.parse(last.text) as T;
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

describe("MCP server", () => {
  it("[write key] lists the tools, reads a conversation and its transcript, and sends a message the Simulator receives, once per idempotency key", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline);
    const { write } = await keys(pipeline);
    await inbound(pipeline, "+14155550123", "Where is my order 1042?");
    const client = await connect(endpoint, write);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    expect(tools.find((tool) => tool.name === "send_message")!.inputSchema.required).toEqual(
      expect.arrayContaining(["to", "body", "idempotencyKey"]),
    );

    const listed = json<{ threads: { id: string; contact: { id: string; phone: string } }[] }>(
      await call(client, "list_threads"),
    );
    const thread = listed.threads.find((each) => each.contact.phone === "+14155550123")!;
    expect(thread).toBeDefined();
    const read = await call(client, "read_thread", { threadId: thread.id });
    expect(read.content[0]).toMatchObject({
      type: "text",
      text: expect.stringContaining("Contact: Where is my order 1042?"),
    });
    expect(json<{ messages: { body: string }[] }>(read).messages.map((message) => message.body)).toContain(
      "Where is my order 1042?",
    );
    const transcript = await client.readResource({ uri: `switchboard://threads/${thread.id}` });
    expect(transcript.contents[0]).toMatchObject({
      mimeType: "text/plain",
      text: expect.stringContaining("order 1042"),
    });
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain(`switchboard://threads/${thread.id}`);

    const contact = json(await call(client, "get_contact", { contactId: thread.contact.id }));
    expect(contact).toMatchObject({ phone: "+14155550123", thread: { id: thread.id, mode: "bot" } });
    const found = json<{ contacts: { id: string }[] }>(await call(client, "search_contacts", { search: "4155550123" }));
    expect(found.contacts.map((each) => each.id)).toEqual([thread.contact.id]);

    const idempotencyKey = randomUUID();
    const send = () => call(client, "send_message", { to: "+14155550123", body: "It ships today.", idempotencyKey });
    const first = json<{ message: { id: string; status: string }; threadId: string; replayed: boolean }>(await send());
    expect(first).toMatchObject({ message: { status: "queued" }, threadId: thread.id, replayed: false });
    const again = json<{ message: { id: string }; replayed: boolean }>(await send());
    expect(again).toMatchObject({ message: { id: first.message.id }, replayed: true });
    // Both at once with a new key: still one message.
    const concurrentKey = randomUUID();
    const both = await Promise.all(
      [1, 2].map(() =>
        call(client, "send_message", { to: "+14155550123", body: "Tracking: 1Z999", idempotencyKey: concurrentKey }),
      ),
    );
    expect(json<{ message: { id: string } }>(both[0]!).message.id).toBe(
      json<{ message: { id: string } }>(both[1]!).message.id,
    );
    expect(
      errorText(await call(client, "send_message", { to: "+14155550123", body: "Something else", idempotencyKey })),
    ).toContain("idempotency key was used for another request");
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBe(2);

    // The Simulator's phone received each once (beside the bot's own answer to the first message).
    const sent = ["It ships today.", "Tracking: 1Z999"];
    const delivered = await waitFor(
      async () => {
        const bodies = (await deliveriesTo(pipeline.db, "+14155550123")).map((row) => row.body);
        return sent.every((body) => bodies.includes(body)) ? bodies : undefined;
      },
      20_000,
      "both sends delivered to the Simulator",
    );
    expect(delivered.filter((body) => sent.includes(body))).toEqual(sent);
    await client.close();
  });

  it("[read key] reads but cannot send, hand off or release: a tool error names the write scope", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline);
    const { read } = await keys(pipeline);
    await inbound(pipeline, "+14155550124", "Hi");
    const client = await connect(endpoint, read);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    const [thread] = json<{ threads: { id: string }[] }>(await call(client, "list_threads")).threads;
    for (const [tool, args] of [
      ["send_message", { to: "+14155550124", body: "No.", idempotencyKey: randomUUID() }],
      ["hand_off_thread", { threadId: thread!.id }],
      ["release_thread", { threadId: thread!.id }],
    ] as const) {
      expect(errorText(await call(client, tool, args)), tool).toContain('lacks the "write" scope');
    }
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBe(0);
    const [row] = await pipeline.db.select({ mode: threads.mode }).from(threads).where(eq(threads.id, thread!.id));
    expect(row!.mode).toBe("bot");
    await client.close();
  });

  it("[write key] hands a thread off and releases it; bad input and unknown threads are tool errors", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline);
    const { write } = await keys(pipeline);
    await inbound(pipeline, "+14155550125", "Can I talk to someone?");
    const client = await connect(endpoint, write);
    const [thread] = json<{ threads: { id: string }[] }>(await call(client, "list_threads")).threads;
    expect(
      json(await call(client, "hand_off_thread", { threadId: thread!.id, note: "Asked for a person" })),
    ).toMatchObject({ threadId: thread!.id, mode: "human" });
    expect(json(await call(client, "release_thread", { threadId: thread!.id }))).toMatchObject({ mode: "bot" });
    expect(errorText(await call(client, "read_thread", { threadId: randomUUID() }))).toContain(
      "There is no such thread.",
    );
    expect(errorText(await call(client, "read_thread", { threadId: "not-a-uuid" }))).toMatch(/threadId/);
    expect(
      errorText(await call(client, "send_message", { to: "12", body: "hi", idempotencyKey: randomUUID() })),
    ).toMatch(/to/);
    expect(
      errorText(
        await call(client, "send_message", { to: "+14155550125", body: "a\u0000b", idempotencyKey: randomUUID() }),
      ),
    ).toMatch(/body/);
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBe(0);
    const sessions = json<{ name: string; status: string; capabilities: { contactPresence: boolean } }[]>(
      await call(client, "get_sessions"),
    );
    expect(sessions).toEqual([expect.objectContaining({ name: "Simulator", capabilities: expect.any(Object) })]);
    expect(JSON.stringify(sessions)).not.toMatch(/pairingCode|"qr"/);
    await client.close();
  });

  it("answers 401 JSON without a key or with a bad one, 429 over the key's rate limit, and 405 to GET", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline, 3);
    const { read } = await keys(pipeline);
    const initialize = (key?: string) =>
      fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
        }),
      });
    for (const key of [undefined, "sb_nope", "sb_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const refused = await initialize(key);
      expect(refused.status, String(key)).toBe(401);
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(await refused.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    await expect(connect(endpoint, "sb_nope")).rejects.toThrow();
    const ok = await initialize(read);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ result: { serverInfo: { name: "switchboard" } } });
    expect((await fetch(endpoint, { headers: { authorization: `Bearer ${read}` } })).status).toBe(405);
    expect((await initialize(read)).status).toBe(200);
    expect((await initialize(read)).status).toBe(200);
    const limited = await initialize(read);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("refuses a JSON-RPC batch (many calls for one request of the rate limit) with 400, running none of it", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline);
    const { read } = await keys(pipeline);
    const call = (id: number) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "list_threads", arguments: {} },
    });
    const batch = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${read}`,
      },
      body: ` \n${JSON.stringify(Array.from({ length: 50 }, (_, index) => call(index + 1)))}`,
    });
    expect(batch.status).toBe(400);
    expect(await batch.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 }, id: null });
    // One message per request still works.
    const client = await connect(endpoint, read);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("reads a contact's presence from an engine that reports it, 'unknown' when none comes in time, unsupported elsewhere", async () => {
    const pipeline = await startPipeline();
    const endpoint = await serveMcp(pipeline);
    const { read } = await keys(pipeline);
    const watcher: TEngineDescriptor = {
      kind: "presence-test",
      label: "Presence test engine",
      description: "Reports contact presence (test descriptor)",
      capabilities: { ...simulatorEngine.descriptor.capabilities, contactPresence: true },
      settings: ["pacing"],
      controls: [],
      addable: false,
    };
    await publishEngines(pipeline.db, [simulatorEngine.descriptor, watcher], "test");
    const [session] = await pipeline.db
      .insert(waSessions)
      .values({ name: "Presence number", kind: watcher.kind, status: "ready" })
      .returning();
    const [contact] = await pipeline.db
      .insert(contacts)
      .values({ sessionId: session!.id, waId: "+5511987654321", name: "Typist" })
      .returning();
    const [thread] = await pipeline.db.insert(threads).values({ contactId: contact!.id }).returning();
    await inbound(pipeline, "+14155550126", "Hi");
    const [simulated] = await pipeline.db
      .select({ id: threads.id })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(eq(contacts.waId, "+14155550126")));

    // The "worker": hears the presence request and reports what WhatsApp said.
    const worker = new pg.Client({ connectionString: pipeline.url });
    await worker.connect();
    const asked: string[] = [];
    let answer = true;
    worker.on("notification", (message) => {
      const request = JSON.parse(message.payload ?? "{}") as { request?: string; to?: string; sessionId?: string };
      if (request.request !== "presence") return;
      asked.push(request.to!);
      if (answer) void publishContactPresence(pipeline.db, request.sessionId!, { from: request.to!, state: "typing" });
    });
    await worker.query(`LISTEN ${SESSION_REQUESTS_CHANNEL}`);
    try {
      const client = await connect(endpoint, read);
      const started = Date.now();
      expect(json(await call(client, "get_presence", { threadId: thread!.id, waitSeconds: 10 }))).toMatchObject({
        supported: true,
        state: "typing",
        at: expect.any(String),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(asked).toEqual(["+5511987654321"]);

      answer = false;
      const waited = Date.now();
      expect(json(await call(client, "get_presence", { threadId: thread!.id, waitSeconds: 1 }))).toEqual({
        supported: true,
        state: "unknown",
        lastSeen: null,
        at: null,
      });
      expect(Date.now() - waited).toBeGreaterThanOrEqual(900);

      expect(json(await call(client, "get_presence", { threadId: simulated!.id }))).toMatchObject({
        supported: false,
        state: "unknown",
      });
      expect(asked).toHaveLength(2);
      expect(errorText(await call(client, "get_presence", { threadId: randomUUID() }))).toContain(
        "This conversation no longer exists.",
      );
      expect(errorText(await call(client, "get_presence", { threadId: thread!.id, waitSeconds: 600 }))).toMatch(
        /waitSeconds/,
      );
      await client.close();
    } finally {
      await worker.end();
    }
  });
});
