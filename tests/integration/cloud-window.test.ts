/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   The API answers untyped JSON; the assertions are what check its shape. */
import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { messages, threads, waSessions, waTemplates } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { assertMayQueue, serviceWindowOf } from "~/server/conversations/window";
import { createBoss, createSendQueue } from "~/server/jobs/boss";
import { intakeMedia } from "~/server/media/intake";
import { createFsMediaStore } from "~/server/media/store-fs";
import { textContent, type TContentOf } from "~/server/messages/content";
import { ingestInbound } from "~/server/messaging/ingest";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { simulatorEngine } from "~/workers/engines/simulator";
import { wwebjsEngine } from "~/workers/engines/wwebjs";
import { insertUser } from "../support/database";
import { jpegBytes, pdfBytes } from "../support/media-fixtures";
import { EXAMPLE_TEMPLATES } from "../support/fake-graph-server";
import { usePreparedDatabase } from "../support/pipeline";
import { restClient } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

const HOUR = 3_600_000;

/**
 * A `cloud` engine as the web reads it, published here so these tests do not wait for the
 * engine's worker code: it holds the business to the 24-hour window and sends templates.
 */
const CLOUD: TEngineDescriptor = {
  kind: "cloud",
  label: "WhatsApp Cloud API",
  description: "Meta's official API (test descriptor)",
  capabilities: {
    ...simulatorEngine.descriptor.capabilities,
    media: ["image", "video", "document"],
    buttons: true,
    templates: true,
    serviceWindow: true,
    pairing: [],
    webhookInbound: true,
  },
  settings: ["pacing"],
  controls: [],
  addable: true,
};

type TSetup = {
  db: TDb;
  boss: PgBoss;
  simulatorId: string;
  cloudId: string;
  wwebjsId: string;
  agent: TSessionUser;
};
let setup: TSetup;

beforeAll(async () => {
  const { sessionId, ...database } = await usePreparedDatabase();
  const boss = createBoss(database.url, "worker");
  await boss.start();
  await publishEngines(database.db, [simulatorEngine.descriptor, wwebjsEngine.descriptor, CLOUD], "test");
  const [cloud] = await database.db
    .insert(waSessions)
    .values({ name: "Bakery (Cloud API)", kind: "cloud", status: "ready" })
    .returning();
  const [phone] = await database.db
    .insert(waSessions)
    .values({ name: "Shop phone", kind: "wwebjs", status: "ready" })
    .returning();
  // The send queues a worker makes when it runs a session: messages are queued, none is sent here.
  await createSendQueue(boss, cloud!.id);
  await createSendQueue(boss, sessionId);
  await createSendQueue(boss, phone!.id);
  await database.db.insert(waTemplates).values(
    EXAMPLE_TEMPLATES.map((template) => ({
      sessionId: cloud!.id,
      metaId: template.id as string,
      name: template.name as string,
      language: template.language as string,
      category: template.category as string,
      status: template.status as string,
      components: template.components as never,
    })),
  );
  setup = {
    db: database.db,
    boss,
    simulatorId: sessionId,
    cloudId: cloud!.id,
    wwebjsId: phone!.id,
    agent: await insertUser(database.db, "agent"),
  };
});

afterAll(async () => {
  await setup?.boss.stop({ graceful: false });
});

/** A contact who wrote to `sessionId` `hoursAgo` hours ago (their message's time set in the past): their thread. */
async function wroteAgo(sessionId: string, hoursAgo: number, name = "Ana Souza") {
  const waId = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  const result = await ingestInbound(setup.db, setup.boss, {
    sessionId,
    waMessageId: `wamid.${randomUUID()}`,
    from: waId,
    pushName: name,
    type: "text",
    body: "Where is my order?",
  });
  if (result.status !== "stored") throw new Error(`not stored: ${JSON.stringify(result)}`);
  const at = new Date(Date.now() - hoursAgo * HOUR);
  await setup.db.update(messages).set({ createdAt: at }).where(eq(messages.id, result.messageId));
  return { threadId: result.threadId, waId, at };
}

/** A contact of `sessionId` with a thread but no message from them. */
async function neverWrote(sessionId: string) {
  const api = restClient({ db: setup.db, boss: setup.boss });
  const admin = createCaller(testContext({ db: setup.db, user: await insertUser(setup.db, "admin") }));
  const { key } = await admin.apiKeys.create({ name: `k-${randomUUID()}`, scopes: ["read", "write"] });
  const waId = `+1415666${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  const sent = await api("POST", "/messages", {
    key,
    body: { to: waId, sessionId, template: { name: "hello_world", language: "en_US" } },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(sent.status).toBe(202);
  return { threadId: sent.body.threadId as string, waId };
}

const agentCaller = () => createCaller(testContext({ db: setup.db, user: setup.agent, boss: setup.boss }));

const ORDER_UPDATE = {
  name: "order_update",
  language: "en_US",
  values: { header: ["1042"], body: ["Ana", "#1042", "tomorrow"], buttons: { "0": "1042" } },
};

describe("the 24-hour window (server/conversations/window.ts)", () => {
  it("applies only where the engine has serviceWindow: a simulator thread is open after days", async () => {
    const { threadId, at } = await wroteAgo(setup.simulatorId, 72);
    expect(await serviceWindowOf(setup.db, threadId)).toEqual({
      applies: false,
      open: true,
      lastContactAt: at,
      closesAt: new Date(at.getTime() + 24 * HOUR),
    });
    await assertMayQueue(setup.db, { sessionId: setup.simulatorId, threadId, content: textContent("hi") });
  });

  it("is open just after the contact wrote, and text may be queued", async () => {
    const { threadId, at } = await wroteAgo(setup.cloudId, 0);
    const window = await serviceWindowOf(setup.db, threadId);
    expect(window).toEqual({
      applies: true,
      open: true,
      lastContactAt: at,
      closesAt: new Date(at.getTime() + 24 * HOUR),
    });
    await assertMayQueue(setup.db, { sessionId: setup.cloudId, threadId, content: textContent("hi") });
  });

  it("is closed 24 hours and a second after the contact's last message: text refused, a template allowed", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 24 + 1 / 3600);
    expect(await serviceWindowOf(setup.db, threadId)).toMatchObject({ applies: true, open: false });
    await expect(
      assertMayQueue(setup.db, { sessionId: setup.cloudId, threadId, content: textContent("hi") }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/24-hour window closed at .*only an approved template can reach Ana Souza/),
    });
    await assertMayQueue(setup.db, { sessionId: setup.cloudId, threadId, content: { kind: "template" } });
  });

  it("was never open for a contact who never wrote", async () => {
    const { threadId } = await neverWrote(setup.cloudId);
    expect(await serviceWindowOf(setup.db, threadId)).toEqual({
      applies: true,
      open: false,
      lastContactAt: null,
      closesAt: null,
    });
    await expect(
      assertMayQueue(setup.db, { sessionId: setup.cloudId, threadId, content: textContent("hi") }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("has never written to this number") });
  });

  it("refuses a template on an engine without templates", async () => {
    const { threadId } = await wroteAgo(setup.wwebjsId, 1);
    await expect(
      assertMayQueue(setup.db, { sessionId: setup.wwebjsId, threadId, content: { kind: "template" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: "This number's engine cannot send templates." });
  });
});

describe("the Inbox outside the window", () => {
  it("shows the thread's window, and an agent's text reply outside it is refused with the reason", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 30);
    const agent = agentCaller();
    const thread = await agent.inbox.thread({ threadId });
    expect(thread.window).toMatchObject({ applies: true, open: false });
    await expect(agent.inbox.reply({ threadId, body: "Hello?" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("only an approved template can reach Ana Souza now"),
    });
    expect(await setup.db.$count(messages, eq(messages.threadId, threadId))).toBe(1);
    // Nothing was taken over either: the refusal rolled the whole reply back.
    const [row] = await setup.db.select().from(threads).where(eq(threads.id, threadId));
    expect(row?.assignedUserId).toBeNull();
  });

  it("lists only approved templates, and sends one with its variables as a queued template message", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 30);
    const agent = agentCaller();
    const templates = await agent.inbox.templates({ threadId });
    expect(templates.map((template) => `${template.name}:${template.language}`)).toEqual([
      "hello_world:en_US",
      "menu_photo:pt_BR",
      "order_update:en_US",
    ]);
    expect(templates.find((template) => template.name === "order_update")?.shape.body.variables).toBe(3);
    const stored = await agent.inbox.sendTemplate({ threadId, ...ORDER_UPDATE });
    const [message] = await setup.db.select().from(messages).where(eq(messages.id, stored.id));
    expect(message).toMatchObject({
      status: "queued",
      source: "agent",
      authorUserId: setup.agent.id,
      type: "template",
      body: "Hi Ana, your order #1042 is on its way and arrives tomorrow.",
    });
    const content = message!.content as TContentOf<"template">;
    expect(content).toEqual({
      kind: "template",
      name: "order_update",
      language: "en_US",
      components: [
        { type: "header", text: "Order 1042", params: ["1042"] },
        {
          type: "body",
          text: "Hi Ana, your order #1042 is on its way and arrives tomorrow.",
          params: ["Ana", "#1042", "tomorrow"],
        },
        { type: "footer", text: "Reply STOP to opt out" },
        { type: "button", index: 0, subType: "url", text: "https://shop.example/track/1042", params: ["1042"] },
        { type: "button", index: 1, subType: "quick_reply", text: "Talk to us" },
      ],
    });
    const [row] = await setup.db.select().from(threads).where(eq(threads.id, threadId));
    expect(row).toMatchObject({ mode: "human", assignedUserId: setup.agent.id });
  });

  it("refuses an unapproved template, and a missing variable naming it", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 30);
    const agent = agentCaller();
    await expect(agent.inbox.sendTemplate({ threadId, name: "spring_sale", language: "en_US" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("spring_sale"),
    });
    await expect(
      agent.inbox.sendTemplate({
        threadId,
        ...ORDER_UPDATE,
        values: { ...ORDER_UPDATE.values, body: ["Ana", "#1042"] },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("{{3}}") });
    await expect(
      agent.inbox.sendTemplate({ threadId, name: "menu_photo", language: "pt_BR", values: { body: ["Ana"] } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("image") });
    expect(await setup.db.$count(messages, eq(messages.threadId, threadId))).toBe(1);
  });

  it("sends a template whose header is a photo with the uploaded file, and refuses a PDF there", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 30);
    const store = createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-window-")));
    const intake = async (bytes: Buffer) => (await intakeMedia(setup.db, store, Readable.from([bytes]), {})).sha256;
    const photo = await intake(await jpegBytes(64, 48));
    const pdf = await intake(pdfBytes("Menu"));
    const agent = agentCaller();
    const menu = { threadId, name: "menu_photo", language: "pt_BR", values: { body: ["Ana"] } };
    await expect(agent.inbox.sendTemplate({ ...menu, headerAttachment: { sha256: pdf } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const stored = await agent.inbox.sendTemplate({
      ...menu,
      headerAttachment: { sha256: photo, fileName: "menu.jpg" },
    });
    const [message] = await setup.db.select().from(messages).where(eq(messages.id, stored.id));
    const content = message!.content as TContentOf<"template">;
    expect(content.components?.[0]).toMatchObject({
      type: "header",
      media: { sha256: photo, mimeType: "image/jpeg", fileName: "menu.jpg" },
    });
    expect(content.components?.[1]).toEqual({
      type: "body",
      text: "Olá Ana, veja o cardápio desta semana.",
      params: ["Ana"],
    });
  });

  it("inside the window a text reply goes", async () => {
    const { threadId } = await wroteAgo(setup.cloudId, 23);
    const stored = await agentCaller().inbox.reply({ threadId, body: "On its way!" });
    const [message] = await setup.db.select().from(messages).where(eq(messages.id, stored.id));
    expect(message).toMatchObject({ status: "queued", body: "On its way!" });
  });
});

describe("POST /api/v1/messages and the window", () => {
  async function writeKey() {
    const admin = createCaller(testContext({ db: setup.db, user: await insertUser(setup.db, "admin") }));
    return (await admin.apiKeys.create({ name: `k-${randomUUID()}`, scopes: ["read", "write"] })).key;
  }
  const api = () => restClient({ db: setup.db, boss: setup.boss });
  const post = async (key: string, body: Record<string, unknown>, idempotencyKey = randomUUID()) =>
    api()("POST", "/messages", { key, body, headers: { "idempotency-key": idempotencyKey } });

  it("refuses a text outside the window with 409 saying a template is needed; a template goes, once per key", async () => {
    const key = await writeKey();
    const { waId, threadId } = await wroteAgo(setup.cloudId, 25);
    const text = await post(key, { to: waId, sessionId: setup.cloudId, body: "Hello?" });
    expect(text.status).toBe(409);
    expect(text.body.error).toMatchObject({ code: "conflict" });
    expect(text.body.error.message).toMatch(/24-hour window closed at .*only an approved template can reach/);
    const idempotencyKey = randomUUID();
    const template = await post(key, { to: waId, sessionId: setup.cloudId, template: ORDER_UPDATE }, idempotencyKey);
    expect(template.status).toBe(202);
    expect(template.body).toMatchObject({
      threadId,
      message: {
        type: "template",
        source: "api",
        status: "queued",
        body: "Hi Ana, your order #1042 is on its way and arrives tomorrow.",
        content: { kind: "template", name: "order_update", language: "en_US" },
      },
    });
    const again = await post(key, { to: waId, sessionId: setup.cloudId, template: ORDER_UPDATE }, idempotencyKey);
    expect(again.body.message.id).toBe(template.body.message.id);
    expect(await setup.db.$count(messages, eq(messages.threadId, threadId))).toBe(2);
  });

  it("refuses a text to a new contact of a window engine, and a missing variable or an unapproved template with 400", async () => {
    const key = await writeKey();
    const fresh = await post(key, { to: "+14155557777", sessionId: setup.cloudId, body: "Hi" });
    expect(fresh.status).toBe(409);
    expect(fresh.body.error.message).toContain("never written to this number");
    const missing = await post(key, {
      to: "+14155557777",
      sessionId: setup.cloudId,
      template: { ...ORDER_UPDATE, values: { body: ["Ana", "#1042", "tomorrow"] } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("{{1}}");
    const rejected = await post(key, {
      to: "+14155557777",
      sessionId: setup.cloudId,
      template: { name: "spring_sale", language: "en_US" },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.message).toContain("spring_sale");
    const unknown = await post(key, {
      to: "+14155557777",
      sessionId: setup.cloudId,
      template: { name: "no_such", language: "en_US" },
    });
    expect(unknown.status).toBe(404);
    const mixed = await post(key, {
      to: "+14155557777",
      sessionId: setup.cloudId,
      body: "Hi",
      template: { name: "hello_world", language: "en_US" },
    });
    expect(mixed.status).toBe(400);
  });

  it("refuses a template to an engine without templates, and leaves text on other engines as it was", async () => {
    const key = await writeKey();
    const { waId } = await wroteAgo(setup.wwebjsId, 72);
    const template = await post(key, {
      to: waId,
      sessionId: setup.wwebjsId,
      template: { name: "hello_world", language: "en_US" },
    });
    expect(template.status).toBe(400);
    expect(template.body.error.message).toBe("This number's engine cannot send templates.");
    const text = await post(key, { to: waId, sessionId: setup.wwebjsId, body: "Still here" });
    expect(text.status).toBe(202);
  });
});
