import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { messages, threads, waSessions } from "~/db/schema";
import { sealCloudSecrets } from "~/server/cloud/config";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { sendAgentReply } from "~/server/inbox/compose";
import { intakeMedia } from "~/server/media/intake";
import { textOf, type TMessageContent } from "~/server/messages/content";
import { ingestInbound } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { createFakeGraph, FAKE_GRAPH_DEFAULTS, type TFakeGraph } from "../support/fake-graph-server";
import { jpegBytes } from "../support/media-fixtures";
import { startPipeline, storedId, waitForProcessed, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";

const APP_SECRET = "cloud-send-test-app-secret-0123456789ab";
const NUMBER_ID = FAKE_GRAPH_DEFAULTS.number.id;
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let graph: TFakeGraph;
beforeAll(async () => {
  graph = await createFakeGraph();
});
afterAll(async () => {
  await graph.close();
});

/** A worker running a ready Cloud API number against the fake Graph server (sends retried after 1 s). */
async function cloudPipeline() {
  const pipeline = await startPipeline({
    engines: { cloud: { appSecret: APP_SECRET, baseUrl: graph.url, minBackoffMs: 200, maxBackoffMs: 1_000 } },
    sendPolicy: { retryLimit: 5, retryDelay: 1, retryBackoff: false, expireInSeconds: 60, heartbeatSeconds: 10 },
  });
  const [row] = await pipeline.db
    .insert(waSessions)
    .values({
      name: "Bakery (Cloud API)",
      kind: "cloud",
      engineConfig: { phoneNumberId: NUMBER_ID, businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId },
      engineSecrets: sealCloudSecrets(
        {
          accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
          appSecret: "0123456789abcdef0123456789abcdef",
          verifyToken: "verify-me-please",
        },
        APP_SECRET,
      ),
    })
    .returning({ id: waSessions.id });
  const cloudId = row!.id;
  await waitFor(
    async () => {
      const [session] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, cloudId));
      return session?.status === "ready";
    },
    20_000,
    "the Cloud API number to be ready",
  );
  return { ...pipeline, cloudId };
}

/** A contact who just wrote to the Cloud API number (their 24-hour window is open), and an agent. */
async function conversation(pipeline: TPipeline & { cloudId: string }, waId: string) {
  const result = await ingestInbound(pipeline.db, pipeline.boss, {
    sessionId: pipeline.cloudId,
    waMessageId: `wamid.IN-${waId}-${Date.now()}`,
    from: waId,
    type: "text",
    body: "hello",
  });
  await waitForProcessed(pipeline.db, result);
  const [thread] = await pipeline.db
    .select({ threadId: messages.threadId, contactId: threads.contactId })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .where(eq(messages.id, storedId(result)));
  // The starter rules may answer "hello": that reply goes first, so a scripted failure meets the test's own message.
  await waitFor(
    async () => {
      const { rows } = await pipeline.db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${messages} where thread_id = ${thread!.threadId} and status = 'queued'`,
      );
      return rows[0]?.n === 0;
    },
    20_000,
    "the conversation's earlier replies to be sent",
  );
  return { threadId: thread!.threadId, contactId: thread!.contactId, agent: await insertUser(pipeline.db, "agent") };
}

function waitForMessage(db: TDb, id: string, status: "sent" | "failed") {
  return waitFor(
    async () => {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row && (status === "failed" ? row.status === "failed" : row.status === "sent") ? row : undefined;
    },
    20_000,
    async () => {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return `message ${id} to be ${status}; it is ${row?.status} (${row?.error ?? ""})`;
    },
  );
}

/** The messages-API requests the fake Graph server saw for one of our messages (by the clientRef Meta echoes). */
const requestsFor = (messageId: string) =>
  graph.requests.filter(
    (request) =>
      request.path === `/v26.0/${NUMBER_ID}/messages` &&
      (request.body as { biz_opaque_callback_data?: string } | null)?.biz_opaque_callback_data === messageId,
  );

describe("sending through the Cloud API engine", () => {
  it("sends a queued text: the exact body, token, version and number id; the message is sent with Meta's id", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001001");
    const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "Your cake is ready" });
    const row = await waitForMessage(pipeline.db, stored.id, "sent");
    const [request] = requestsFor(stored.id);
    expect(request).toMatchObject({
      method: "POST",
      path: `/v26.0/${NUMBER_ID}/messages`,
      authorization: `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
      contentType: "application/json",
    });
    expect(request!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15550001001",
      type: "text",
      text: { body: "Your cake is ready", preview_url: false },
      biz_opaque_callback_data: stored.id,
    });
    expect(row.waMessageId).toMatch(/^wamid\./);
    expect(requestsFor(stored.id)).toHaveLength(1);
  });

  it("uploads a photo from the media store, then sends it by Meta's media id with its caption", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001002");
    const photo = await jpegBytes(48, 32);
    const { sha256 } = await intakeMedia(pipeline.db, pipeline.mediaStore, Readable.from([photo]), {});
    const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      body: "Your receipt",
      attachment: { sha256, kind: "image" },
    });
    await waitForMessage(pipeline.db, stored.id, "sent");
    const uploads = graph.requests.filter((request) => request.path === `/v26.0/${NUMBER_ID}/media`);
    const upload = uploads.find(
      (request) => (request.body as { file?: { sha256?: string } }).file?.sha256 === sha(photo),
    );
    expect(upload).toBeDefined();
    expect(upload!.authorization).toBe(`Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`);
    expect(upload!.body).toMatchObject({
      messaging_product: "whatsapp",
      type: "image/jpeg",
      file: { mimeType: "image/jpeg", size: photo.length },
    });
    const [send] = requestsFor(stored.id);
    const body = send!.body as { type: string; image: { id: string; caption: string } };
    expect(body.type).toBe("image");
    expect(body.image.caption).toBe("Your receipt");
    // The id it sent is the file it uploaded: Meta holds exactly the photo's bytes under it.
    expect(sha(graph.media.get(body.image.id)!.bytes)).toBe(sha(photo));
  });

  it("fails a message Meta refuses outside the 24-hour window (131047) at once, naming it; the next one still goes", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001003");
    graph.failNext({
      status: 400,
      code: 131047,
      title: "Re-engagement message",
      details:
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    });
    const first = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "Are you still there?" });
    const second = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "Second message" });
    const failed = await waitForMessage(pipeline.db, first.id, "failed");
    expect(failed.error).toMatch(
      /^More than 24 hours since the contact's last message: only a template can reach them/,
    );
    expect(failed.error).toContain("Meta code 131047: Re-engagement message");
    await waitForMessage(pipeline.db, second.id, "sent");
    // Failed for good on the first try: not sent again, and its job is not retried.
    expect(requestsFor(first.id)).toHaveLength(1);
    const { rows } = await pipeline.db.execute<{ state: string; retry_count: number }>(
      sql`select state::text, retry_count from pgboss.job where data->>'messageId' = ${first.id}`,
    );
    expect(rows).toEqual([{ state: "completed", retry_count: 0 }]);
  });

  it("waits out Meta's throughput limit (130429): sent once, after a retry", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001004");
    graph.failNext({
      status: 400,
      code: 130429,
      title: "Rate limit hit",
      details: "Cloud API message throughput has been reached.",
    });
    const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "Busy day" });
    const row = await waitForMessage(pipeline.db, stored.id, "sent");
    expect(row.error).toBeNull();
    const attempts = requestsFor(stored.id);
    expect(attempts).toHaveLength(2);
    expect(graph.sent().filter((body) => body.biz_opaque_callback_data === stored.id)).toHaveLength(1);
  });

  it("sends a choice as reply buttons and a template with its values, as Meta documents them", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, contactId } = await conversation(pipeline, "+15550001005");
    const queue = (content: TMessageContent) =>
      pipeline.db.transaction((tx) =>
        queueOutboundOne(tx, pipeline.boss, {
          sessionId: pipeline.cloudId,
          threadId,
          contactId,
          body: textOf(content),
          content,
          source: "rule",
          event: { source: "test" },
        }),
      );
    const choice = await queue({
      kind: "interactive",
      style: "buttons",
      body: "What can we do for you?",
      options: [
        { id: "orders", title: "Orders" },
        { id: "hours", title: "Opening hours" },
        { id: "human", title: "Talk to us" },
      ],
    });
    const template = await queue({
      kind: "template",
      name: "order_update",
      language: "en_US",
      components: [
        { type: "header", text: "Order 4711", params: ["4711"] },
        {
          type: "body",
          text: "Hi Ana, your order 4711 is on its way and arrives today.",
          params: ["Ana", "4711", "today"],
        },
        { type: "footer", text: "Reply STOP to opt out" },
        { type: "button", index: 0, subType: "url", text: "https://shop.example/track/4711", params: ["4711"] },
      ],
    });
    await waitForMessage(pipeline.db, choice!.id, "sent");
    await waitForMessage(pipeline.db, template!.id, "sent");
    expect((requestsFor(choice!.id)[0]!.body as { interactive: unknown }).interactive).toEqual({
      type: "button",
      body: { text: "What can we do for you?" },
      action: {
        buttons: [
          { type: "reply", reply: { id: "orders", title: "Orders" } },
          { type: "reply", reply: { id: "hours", title: "Opening hours" } },
          { type: "reply", reply: { id: "human", title: "Talk to us" } },
        ],
      },
    });
    expect((requestsFor(template!.id)[0]!.body as { template: unknown }).template).toEqual({
      name: "order_update",
      language: { code: "en_US" },
      components: [
        { type: "header", parameters: [{ type: "text", text: "4711" }] },
        {
          type: "body",
          parameters: [
            { type: "text", text: "Ana" },
            { type: "text", text: "4711" },
            { type: "text", text: "today" },
          ],
        },
        { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "4711" }] },
      ],
    });
  });

  it("retries a send whose token Meta refuses, shows the number failed, and sends once a new token is saved", async () => {
    const pipeline = await cloudPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001006");
    graph.setAccessToken("EAARotatedToken00000000000000000000");
    try {
      const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "After the rotation" });
      await waitFor(
        async () => {
          const [session] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, pipeline.cloudId));
          return session?.status === "failed" && session.lastError?.includes("access token") ? session : undefined;
        },
        15_000,
        "the number to be failed for its token",
      );
      await pipeline.db
        .update(waSessions)
        .set({
          engineSecrets: sealCloudSecrets(
            {
              accessToken: "EAARotatedToken00000000000000000000",
              appSecret: "0123456789abcdef0123456789abcdef",
              verifyToken: "verify-me-please",
            },
            APP_SECRET,
          ),
          restartRequestedAt: new Date(),
        })
        .where(eq(waSessions.id, pipeline.cloudId));
      const row = await waitForMessage(pipeline.db, stored.id, "sent");
      expect(row.error).toBeNull();
      expect(graph.sent().filter((body) => body.biz_opaque_callback_data === stored.id)).toHaveLength(1);
    } finally {
      graph.setAccessToken(FAKE_GRAPH_DEFAULTS.accessToken);
    }
  });
});
