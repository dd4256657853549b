import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { onTestFinished, describe, expect, it } from "vitest";
import { buildPrompt } from "~/server/ai/prompt";
import { createGeminiProvider, createOfflineProvider } from "~/server/ai/providers";
import { generateAiReply } from "~/server/ai/reply";
import { toolRunner, type TAiTool, type TToolEnv } from "~/server/ai/tools";
import { createCaller } from "~/server/api/root";
import { eq, sql } from "drizzle-orm";
import { contextProfiles, events, rules } from "~/db/schema";
import { setSecret } from "~/server/settings/secrets";
import { insertUser, useTestDatabase } from "../support/database";
import { inbound, startPipeline, storedId, waitForReplies } from "../support/pipeline";
import { startFakeGemini } from "../support/fake-gemini";
import { TEST_APP_SECRET, testContext } from "../support/trpc-context";

/** The business's order system on loopback: GET /orders/<n> answers the order's status; /slow never answers. */
async function startOrderServer() {
  const seen: { method: string; url: string; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    const order = /^\/orders\/([^/?]+)$/.exec(request.url ?? "");
    if (request.url?.startsWith("/slow")) return; // hangs
    if (order?.[1] === "1234") {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ order: "1234", status: "shipped", eta: "Tuesday" }));
      return;
    }
    response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "no such order" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function orderTool(base: string, overrides: Partial<TAiTool> = {}): TAiTool {
  const now = new Date();
  return {
    id: randomUUID(),
    name: "order_status",
    description: "Looks up the status of an order by its number",
    parameters: {
      type: "object",
      properties: { order: { type: "string", description: "The order number" } },
      required: ["order"],
    },
    method: "GET",
    url: `${base}/orders/{{args.order}}`,
    headers: [{ name: "Authorization", value: "Bearer {{secrets.SHOP_TOKEN}}" }],
    body: "",
    timeoutMs: 2_000,
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const ENV: TToolEnv = {
  allowPrivate: true,
  loadSecrets: (names) => Promise.resolve(new Map(names.includes("SHOP_TOKEN") ? [["SHOP_TOKEN", "tok-1"]] : [])),
};

const PROMPT = buildPrompt({
  profile: {
    name: "Shop",
    persona: "",
    businessInfo: {},
    tone: "friendly",
    formality: "neutral",
    responseLength: "short",
    emoji: "none",
    language: "en",
    topics: [],
    topicsToAvoid: [],
    instructions: "",
  },
  contact: { name: "Ana", relationship: "client", tags: [] },
  history: [],
  message: "order status for 1234",
});

const circuitKey = () => `tools-${randomUUID()}`;

describe("AI tools: the model calls an HTTP lookup and uses its answer (real @google/genai client)", () => {
  it("'order status for 1234' reaches the order server and its answer is used", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ steps: [{ call: { name: "order_status", args: { order: "1234" } } }] });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url, model: "gemini-test" });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], ENV, "msg-1"),
    });
    expect(shop.seen).toEqual([
      expect.objectContaining({
        method: "GET",
        url: "/orders/1234",
        headers: expect.objectContaining({ authorization: "Bearer tok-1", "idempotency-key": "msg-1:1" }) as unknown,
      }),
    ]);
    expect(reply).toMatchObject({ outcome: "ok", attempts: 2, tokens: { prompt: 240, output: 24 } });
    expect(reply.text).toContain("Tool order_status said:");
    expect(reply.text).toContain('"status":"shipped"');
    expect(reply.toolCalls).toEqual([
      expect.objectContaining({ tool: "order_status", args: { order: "1234" }, status: 200, ok: true, error: null }),
    ]);
    expect(reply.toolCalls[0]!.result).toContain("shipped");
    // The first request declared the tool; the second sent the call and its result back.
    const [first, second] = fake.requests.map((request) => JSON.stringify(request.body));
    expect(first).toContain('"functionDeclarations"');
    expect(first).toContain('"name":"order_status"');
    expect(first).toContain('"required":["order"]');
    expect(second).toContain('"functionCall"');
    expect(second).toContain('"functionResponse"');
  });

  it("a private address is refused by the SSRF guard unless private networks are allowed", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ steps: [{ call: { name: "order_status", args: { order: "1234" } } }] });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], { ...ENV, allowPrivate: false }, "msg-2"),
    });
    expect(shop.seen).toEqual([]);
    expect(reply.outcome).toBe("ok");
    expect(reply.toolCalls).toEqual([
      expect.objectContaining({ ok: false, status: 0, error: expect.stringMatching(/^refused_address/) as unknown }),
    ]);
    expect(reply.text).toContain("refused_address");
  });

  it("a tool that does not answer in time gives the model a timeout error, within the reply's deadline", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ steps: [{ call: { name: "order_status", args: { order: "1" } } }] });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const started = Date.now();
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url, { url: `${shop.url}/slow/{{args.order}}`, timeoutMs: 300 })], ENV, "m"),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(shop.seen.map((request) => request.url)).toEqual(["/slow/1"]);
    expect(reply.outcome).toBe("ok");
    expect(reply.toolCalls[0]).toMatchObject({ ok: false, error: "timeout: no answer within 300 ms" });
  });

  it("the reply's deadline bounds a slow tool too", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ steps: [{ call: { name: "order_status", args: { order: "1" } } }] });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const started = Date.now();
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      policy: { deadlineMs: 700 },
      tools: toolRunner([orderTool(shop.url, { url: `${shop.url}/slow/{{args.order}}`, timeoutMs: 30_000 })], ENV, "m"),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reply).toMatchObject({ outcome: "fallback", reason: "timeout", text: "fallback" });
    expect(reply.toolCalls).toEqual([expect.objectContaining({ tool: "order_status", ok: false })]);
  });

  it("bad arguments from the model are answered with an error and nothing is sent", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({
      steps: [
        { call: { name: "order_status", args: { order: 1234 } } },
        { call: { name: "order_status", args: { order: "1234" } } },
      ],
    });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], ENV, "m"),
    });
    // The model read the error, called again with a string, and answered from the order.
    expect(reply.toolCalls.map((call) => call.error)).toEqual([
      'invalid_arguments: parameter "order": expected a string',
      null,
    ]);
    expect(shop.seen.map((request) => request.url)).toEqual(["/orders/1234"]);
    expect(reply.text).toContain("shipped");
  });

  it("a 404 and an unknown tool are results the model reads, not failures", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({
      steps: [{ call: { name: "order_status", args: { order: "999" } } }, { call: { name: "rm_rf", args: {} } }],
    });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], ENV, "m"),
    });
    expect(reply.outcome).toBe("ok");
    expect(reply.toolCalls).toEqual([
      expect.objectContaining({ status: 404, ok: false, error: "http_404" }),
      expect.objectContaining({ tool: "rm_rf", ok: false, error: expect.stringMatching(/^unknown_tool/) as unknown }),
    ]);
  });

  it("at most three rounds of calls: then the model must answer without tools", async () => {
    const shop = await startOrderServer();
    const call = { call: { name: "order_status", args: { order: "1234" } } };
    const fake = await startFakeGemini({ steps: [call, call, call, { reply: "Your order shipped." }] });
    const provider = createGeminiProvider({ apiKey: "k", baseUrl: fake.url });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], ENV, "m"),
    });
    expect(reply).toMatchObject({ outcome: "ok", text: "Your order shipped." });
    expect(reply.toolCalls).toHaveLength(3);
    expect(fake.requests).toHaveLength(4);
    expect(JSON.stringify(fake.requests[3]!.body)).not.toContain("functionDeclarations");
  });

  it("the offline provider never calls tools", async () => {
    const shop = await startOrderServer();
    const provider = createOfflineProvider({ ...PROMPT_PROFILE, fallbackText: "A person will answer." });
    const reply = await generateAiReply(provider, PROMPT, "fallback", {
      circuitKey: circuitKey(),
      tools: toolRunner([orderTool(shop.url)], ENV, "m"),
    });
    expect(reply).toMatchObject({ outcome: "ok", toolCalls: [] });
    expect(shop.seen).toEqual([]);
  });
});

const PROMPT_PROFILE = {
  name: "Shop",
  persona: "",
  businessInfo: {},
  tone: "friendly",
  formality: "neutral",
  responseLength: "short",
  emoji: "none",
  language: "en",
  topics: [],
  topicsToAvoid: [],
  instructions: "",
};

describe("AI tools through the API", () => {
  it("[builder] saves a tool, refuses a nested schema, chooses profiles, and tests it", async () => {
    const { db } = await useTestDatabase();
    const shop = await startOrderServer();
    const builder = createCaller(testContext({ db, user: await insertUser(db, "builder") }));
    const tool = await builder.aiTools.save({
      id: null,
      tool: {
        name: "order_status",
        description: "Looks up an order",
        parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
        url: `${shop.url}/orders/{{args.order}}`,
      },
    });
    await expect(
      builder.aiTools.save({
        id: null,
        tool: {
          name: "nested",
          description: "x",
          parameters: { type: "object", properties: { address: { type: "object", properties: {} } } },
          url: "https://shop.example/",
        },
      }),
    ).rejects.toThrow(/Parameter \\"address\\": the type must be string, number, integer or boolean/);
    await expect(
      builder.aiTools.save({ id: null, tool: { name: "order_status", description: "x", url: "https://a.example/" } }),
    ).rejects.toThrow("A tool with this name exists already.");

    const profile = await builder.profiles.save({ id: null, profile: { name: `Shop ${randomUUID()}` } });
    await builder.aiTools.setProfiles({ toolId: tool.id, profileIds: [profile.id] });
    expect(await builder.aiTools.ofProfile({ profileId: profile.id })).toEqual([tool.id]);
    expect((await builder.aiTools.list()).find((row) => row.id === tool.id)?.profileIds).toEqual([profile.id]);
    await builder.aiTools.setOfProfile({ profileId: profile.id, toolIds: [] });
    expect(await builder.aiTools.ofProfile({ profileId: profile.id })).toEqual([]);

    const tested = await createCaller(
      testContext({
        db,
        user: await insertUser(db, "admin"),
        webhooks: { appSecret: "t".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
      }),
    ).aiTools.test({
      tool: {
        name: "order_status",
        description: "x",
        parameters: { type: "object", properties: { order: { type: "string" } } },
        url: `${shop.url}/orders/{{args.order}}`,
      },
      args: { order: "1234" },
    });
    expect(tested).toMatchObject({
      ok: true,
      status: 200,
      request: { method: "GET", url: `${shop.url}/orders/1234` },
      response: { status: 200, body: { status: "shipped" } },
    });

    const agent = createCaller(testContext({ db, user: await insertUser(db, "agent") }));
    await expect(agent.aiTools.delete({ id: tool.id })).rejects.toBeInstanceOf(TRPCError);
    await builder.aiTools.delete({ id: tool.id });
    expect(await builder.aiTools.list()).toEqual([]);
  });
});

describe("AI tools in the pipeline (rule action → ai.reply → send)", () => {
  it("'order status for 1234': the tool reaches the order server, the reply uses its answer, and ai.replied records the call", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ steps: [{ call: { name: "order_status", args: { order: "1234" } } }] });
    const pipeline = await startPipeline(
      {},
      {
        ai: {
          gemini: { apiKey: "k", model: `m-${randomUUID()}`, baseUrl: fake.url },
          tools: { allowPrivate: true, appSecret: TEST_APP_SECRET },
        },
      },
    );
    const user = await insertUser(pipeline.db, "builder");
    const caller = createCaller(testContext({ db: pipeline.db, user }));
    const [profile] = await pipeline.db.insert(contextProfiles).values({ name: "Shop", isDefault: true }).returning();
    const tool = await caller.aiTools.save({
      id: null,
      tool: {
        name: "order_status",
        description: "Looks up the status of an order by its number",
        parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
        url: `${shop.url}/orders/{{args.order}}`,
        headers: [{ name: "Authorization", value: "Bearer {{secrets.SHOP_TOKEN}}" }],
      },
    });
    await caller.aiTools.setProfiles({ toolId: tool.id, profileIds: [profile!.id] });
    await setSecret(pipeline.db, null, TEST_APP_SECRET, { name: "SHOP_TOKEN", value: "tok-live" });
    await caller.rules.create({
      name: "Ask the model",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "order" }] },
      actions: [{ type: "ai_reply" }],
    });
    await caller.rules.publish({});

    const received = await inbound(pipeline, "+15550023401", "order status for 1234");
    const [reply] = await waitForReplies(pipeline.db, "+15550023401", 1);
    const [rule] = await pipeline.db.select({ id: rules.id }).from(rules).where(eq(rules.name, "Ask the model"));
    expect(shop.seen).toEqual([
      expect.objectContaining({
        method: "GET",
        url: "/orders/1234",
        // The job's own key (message and rule), so a retried job's call is recognisably the same.
        headers: expect.objectContaining({
          authorization: "Bearer tok-live",
          "idempotency-key": `${storedId(received)}:${rule!.id}:1`,
        }) as unknown,
      }),
    ]);
    expect(reply?.body).toContain("Tool order_status said:");
    expect(reply?.body).toContain('"status":"shipped"');
    const [event] = await pipeline.db.select().from(events).where(eq(events.type, "ai.replied"));
    expect(event?.payload).toMatchObject({
      outcome: "ok",
      toolCalls: [{ tool: "order_status", args: { order: "1234" }, status: 200, ok: true, error: null }],
    });
    expect(JSON.stringify(event?.payload)).not.toContain("tok-live");
    // The Inbox's trace shows it.
    const agent = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "agent") }));
    const trace = await agent.aiTools.ofConversation({ threadId: event!.threadId! });
    expect(trace).toEqual([
      expect.objectContaining({ calls: [expect.objectContaining({ tool: "order_status", status: 200 })] }),
    ]);
  });

  it("a disabled tool, or one the profile does not use, is not offered to the model", async () => {
    const shop = await startOrderServer();
    const fake = await startFakeGemini({ otherwise: { reply: "No tools here." } });
    const pipeline = await startPipeline(
      {},
      {
        ai: {
          gemini: { apiKey: "k", model: `m-${randomUUID()}`, baseUrl: fake.url },
          tools: { allowPrivate: true, appSecret: TEST_APP_SECRET },
        },
      },
    );
    const caller = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "builder") }));
    const [profile] = await pipeline.db.insert(contextProfiles).values({ name: "Shop", isDefault: true }).returning();
    const tool = await caller.aiTools.save({
      id: null,
      tool: { name: "order_status", description: "Orders", url: `${shop.url}/orders/1234`, enabled: false },
    });
    await caller.aiTools.setProfiles({ toolId: tool.id, profileIds: [profile!.id] });
    await caller.aiTools.save({ id: null, tool: { name: "unused", description: "x", url: `${shop.url}/x` } });
    await caller.rules.create({
      name: "Ask the model",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "order" }] },
      actions: [{ type: "ai_reply" }],
    });
    await caller.rules.publish({});
    await inbound(pipeline, "+15550023402", "order status for 1234");
    const [reply] = await waitForReplies(pipeline.db, "+15550023402", 1);
    expect(reply?.body).toBe("No tools here.");
    expect(JSON.stringify(fake.requests.at(-1)!.body)).not.toContain("functionDeclarations");
  });
});

describe("the Inbox's AI tool calls panel", () => {
  it("reads one conversation's AI replies through their own index, not by scanning every AI reply", async () => {
    const { db } = await useTestDatabase();
    const threadId = randomUUID();
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const result = await tx.execute<{ "QUERY PLAN": string }>(
        sql`explain select id from ${events} where type = 'ai.replied' and thread_id = ${threadId}
          and jsonb_typeof(payload -> 'toolCalls') = 'array' order by at desc limit 20`,
      );
      return result.rows.map((line) => line["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("events_thread_ai_idx");
  });
});
