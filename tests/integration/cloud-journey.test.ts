import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts, messages, threads, waSessions } from "~/db/schema";
import { sealCloudSecrets } from "~/server/cloud/config";
import { handleCloudWebhookPost, type TCloudWebhookDeps } from "~/server/cloud/webhook";
import type { TMessageContent } from "~/server/messages/content";
import type { TRuleInput } from "~/server/rules/schema";
import { CLOUD_EXAMPLE, CLOUD_PAYLOADS, cloudMessage, signCloudWebhook } from "../support/cloud-webhooks";
import { createFakeGraph, FAKE_GRAPH_DEFAULTS, type TFakeGraph } from "../support/fake-graph-server";
import { jpegBytes } from "../support/media-fixtures";
import { MENU_FLOW, publishFlowRows } from "../support/flows";
import { log, publishRules, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";

/**
 * A Cloud API number end to end, with every part real but Meta: Meta's signed webhooks go
 * through the web's handler (app/api/whatsapp/cloud/[sessionId]/route.ts wires only it) onto the
 * `cloud.webhook` queue, a worker stores and decides them, and the replies leave through the
 * cloud engine to the fake Graph API server, which checks each request as Meta documents it.
 * The acceptance, short of the browser (tests/e2e/cloud.spec.ts is the browser's part).
 */

const APP_SECRET = "cloud-journey-test-app-secret-0123456789";
const NUMBER_ID = FAKE_GRAPH_DEFAULTS.number.id;
const CONTACT = CLOUD_EXAMPLE.user.waId;

const keyword = (word: string) => ({
  all: [{ fact: "message.text" as const, operator: "containsWord" as const, value: word }],
});
const RULES: TRuleInput[] = [
  { name: "Opening hours", conditions: keyword("hours"), actions: [{ type: "reply", text: "We open at 8." }] },
  {
    name: "Menu",
    conditions: keyword("menu"),
    actions: [
      {
        type: "reply",
        text: "What do you need?",
        choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }, { title: "Talk to us" }] },
      },
    ],
  },
  {
    name: "Returns",
    conditions: { all: [{ fact: "message.replyId", operator: "equal", value: "returns" }] },
    actions: [{ type: "reply", text: "Returns are free within 30 days." }],
  },
];

let graph: TFakeGraph;
let pipeline: TPipeline;
let sessionId: string;
let deps: TCloudWebhookDeps;

beforeAll(async () => {
  graph = await createFakeGraph();
});

afterAll(async () => {
  await graph?.close();
});

/** A worker with a ready Cloud API number and the rules above (each test its own database). */
async function startJourney() {
  pipeline = await startPipeline({
    engines: { cloud: { appSecret: APP_SECRET, baseUrl: graph.url, minBackoffMs: 200, maxBackoffMs: 1_000 } },
  });
  await publishRules(pipeline.db, RULES);
  const [row] = await pipeline.db
    .insert(waSessions)
    .values({
      name: "Bakery (Cloud API)",
      kind: "cloud",
      engineConfig: { phoneNumberId: NUMBER_ID, businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId },
      engineSecrets: sealCloudSecrets(
        {
          accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
          appSecret: CLOUD_EXAMPLE.appSecret,
          verifyToken: CLOUD_EXAMPLE.verifyToken,
        },
        APP_SECRET,
      ),
    })
    .returning({ id: waSessions.id });
  sessionId = row!.id;
  deps = { db: pipeline.db, boss: () => Promise.resolve(pipeline.boss), secret: APP_SECRET, logger: log };
  await waitFor(
    async () => {
      const [session] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId));
      return session?.status === "ready" ? session : undefined;
    },
    20_000,
    "the Cloud API number to be ready",
  );
}

/** Posts a payload as Meta does: the raw JSON, signed with the app's secret. */
function postSigned(payload: unknown, signature?: string | null) {
  const body = JSON.stringify(payload);
  const header = signature === undefined ? signCloudWebhook(body) : signature;
  return handleCloudWebhookPost(
    new Request(`http://127.0.0.1/api/whatsapp/cloud/${sessionId}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...(header ? { "x-hub-signature-256": header } : {}) },
    }),
    sessionId,
    deps,
  );
}

/** Now, as Meta's webhooks give a message's time (seconds): a message sent long ago would be stored unanswered (too_old). */
const now = () => String(Math.floor(Date.now() / 1000));

/** A text from the contact, as Meta's webhook carries it. */
const textFrom = (id: string, body: string) =>
  cloudMessage("text", { text: { body } }, { id, from: CONTACT, timestamp: now() });

/** The conversation's messages, oldest first. */
async function conversation() {
  return pipeline.db
    .select({
      id: messages.id,
      direction: messages.direction,
      body: messages.body,
      status: messages.status,
      waMessageId: messages.waMessageId,
      content: messages.content,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.sessionId, sessionId), eq(contacts.waId, `+${CONTACT}`)))
    .orderBy(asc(messages.seq));
}

/** Waits for an outbound message with this text to be accepted by Meta, and returns it. */
function sentReply(body: string | RegExp) {
  return waitFor(
    async () =>
      (await conversation()).find(
        (message) =>
          message.direction === "out" &&
          (typeof body === "string" ? message.body === body : body.test(message.body)) &&
          message.waMessageId?.startsWith("wamid."),
      ),
    20_000,
    `the reply ${String(body)} to be sent`,
  );
}

/** What the fake Graph server received for one of our messages (Meta echoes our id in biz_opaque_callback_data). */
const graphRequestsFor = (messageId: string) =>
  graph.requests.filter(
    (request) =>
      request.method === "POST" &&
      request.path === `/v26.0/${NUMBER_ID}/messages` &&
      (request.body as { biz_opaque_callback_data?: string } | null)?.biz_opaque_callback_data === messageId,
  );

describe("a Cloud API number, webhook in and Graph API out", () => {
  it("[flows] a flow's question goes out as reply buttons, and the tapped button moves the flow", async () => {
    await startJourney();
    await publishFlowRows(pipeline.db, MENU_FLOW);
    await postSigned(textFrom("wamid.FLOW-1", "track"));
    const question = await sentReply(/^Which do you need\?/);
    expect(graphRequestsFor(question.id)[0]?.body).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Which do you need?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "orders", title: "Orders" } },
            { type: "reply", reply: { id: "returns", title: "Returns" } },
            { type: "reply", reply: { id: "talk-to-us", title: "Talk to us" } },
          ],
        },
      },
    });
    await postSigned(
      CLOUD_PAYLOADS.buttonReply({
        id: "wamid.FLOW-2",
        from: CONTACT,
        timestamp: now(),
        replyId: "returns",
        title: "Returns",
      }),
    );
    await sentReply("Returns: 30 days, free (Returns).");
  });

  it("[acceptance 1] a signed text gets the rule's reply through the Graph API; Meta's statuses move its ticks; a photo is downloaded and stored", async () => {
    await startJourney();
    expect(
      (await postSigned(CLOUD_PAYLOADS.text({ id: "wamid.JOURNEY-1", from: CONTACT, timestamp: now() }))).status,
    ).toBe(200);
    // Meta's example text matches no rule; the hours question that follows does.
    const hours = textFrom("wamid.JOURNEY-2", "What are your hours?");
    expect((await postSigned(hours)).status).toBe(200);
    const reply = await sentReply("We open at 8.");
    const [request] = graphRequestsFor(reply.id);
    expect(request).toMatchObject({
      authorization: `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
      body: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: CONTACT,
        type: "text",
        text: { body: "We open at 8." },
      },
    });

    // Meta's statuses for it, signed like every webhook: delivered, then read.
    await postSigned(CLOUD_PAYLOADS.status("delivered", { id: reply.waMessageId!, recipient: CONTACT }));
    await waitFor(
      async () => (await conversation()).find((message) => message.id === reply.id && message.status === "delivered"),
      15_000,
      "the reply to be delivered",
    );
    await postSigned(CLOUD_PAYLOADS.status("read", { id: reply.waMessageId!, recipient: CONTACT }));
    await waitFor(
      async () => (await conversation()).find((message) => message.id === reply.id && message.status === "read"),
      15_000,
      "the reply to be read",
    );

    // A photo: its bytes are fetched from the Graph media endpoints and kept in the media store.
    const photo = await jpegBytes();
    const mediaId = graph.addMedia(photo, "image/jpeg");
    await postSigned(CLOUD_PAYLOADS.image({ id: "wamid.JOURNEY-PHOTO", from: CONTACT, mediaId, timestamp: now() }));
    const stored = await waitFor(
      async () => {
        const found = (await conversation()).find((message) => message.waMessageId === "wamid.JOURNEY-PHOTO");
        const content = found?.content as TMessageContent | undefined;
        return content?.kind === "image" && content.media?.state === "stored" ? content : undefined;
      },
      20_000,
      "the photo to be stored",
    );
    expect(stored).toMatchObject({ kind: "image", caption: "Best succulent ever?", media: { mimeType: "image/jpeg" } });
    const fetched = graph.requests.filter(
      (request) => request.path === `/v26.0/${mediaId}` || request.path === `/__media/${mediaId}`,
    );
    expect(fetched.map((request) => request.path)).toEqual([`/v26.0/${mediaId}`, `/__media/${mediaId}`]);
  });

  it("[acceptance 2] a rule offers three reply buttons; the contact taps one (a signed interactive webhook) and the next rule sees which", async () => {
    await startJourney();
    const menu = textFrom("wamid.JOURNEY-MENU", "menu please");
    await postSigned(menu);
    const offered = await sentReply(/^What do you need\?/);
    const [request] = graphRequestsFor(offered.id);
    expect((request!.body as Record<string, unknown>).interactive).toEqual({
      type: "button",
      body: { text: "What do you need?" },
      action: {
        buttons: [
          { type: "reply", reply: { id: "orders", title: "Orders" } },
          { type: "reply", reply: { id: "returns", title: "Returns" } },
          { type: "reply", reply: { id: "talk-to-us", title: "Talk to us" } },
        ],
      },
    });
    await postSigned(
      CLOUD_PAYLOADS.buttonReply({
        id: "wamid.JOURNEY-TAP",
        from: CONTACT,
        replyId: "returns",
        title: "Returns",
        timestamp: now(),
      }),
    );
    const answer = await sentReply("Returns are free within 30 days.");
    expect(graphRequestsFor(answer.id)).toHaveLength(1);
  });

  it("[acceptance 4] Meta's retries of one message create one message and one reply; unsigned or wrongly signed posts are refused with 401", async () => {
    await startJourney();
    const question = textFrom("wamid.JOURNEY-RETRIED", "hours again?");
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await postSigned(question)).status).toBe(200);
    expect((await postSigned(question, null)).status).toBe(401);
    expect((await postSigned(question, signCloudWebhook("{}"))).status).toBe(401);
    expect((await postSigned(question, signCloudWebhook(JSON.stringify(question), "f".repeat(32)))).status).toBe(401);
    await waitFor(
      async () => {
        const all = await conversation();
        const index = all.findIndex((message) => message.waMessageId === "wamid.JOURNEY-RETRIED");
        return index >= 0 &&
          all.slice(index + 1).some((message) => message.body === "We open at 8." && message.waMessageId)
          ? true
          : undefined;
      },
      20_000,
      "the retried question's reply",
    );
    // Give any duplicate a moment to show up, then count.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const all = await conversation();
    expect(all.filter((message) => message.waMessageId === "wamid.JOURNEY-RETRIED")).toHaveLength(1);
    const index = all.findIndex((message) => message.waMessageId === "wamid.JOURNEY-RETRIED");
    expect(all.slice(index + 1).filter((message) => message.direction === "out")).toHaveLength(1);
  });
});
