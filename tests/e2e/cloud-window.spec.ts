import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { eq, sql } from "drizzle-orm";
import { createDb } from "~/db/client";
import { messages, waEngines, waSessions, waTemplates } from "~/db/schema";
import { GRAPH_DEFAULT_VERSION, sealCloudSecrets } from "~/server/cloud/config";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { publishEngines } from "~/server/sessions/engines";
import { EXAMPLE_TEMPLATES, FAKE_GRAPH_DEFAULTS, type TFakeGraphRequest } from "../support/fake-graph-server";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";
import { E2E, GRAPH_URL } from "./stack";

/** The stack's database: its embedded Postgres, or the one E2E_DATABASE_URL names. */
const DATABASE_URL = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

const CONTACT = { waId: "+14155550177", name: "Ana Souza" };

/**
 * Acceptance 3 of the Cloud API: a conversation on a Cloud API number whose contact last wrote
 * more than 24 hours ago. The number, its templates and the contact's old message are set up in
 * the stack's database (the contact's message through the real ingest, then dated 25 hours back);
 * the rest is the browser: the composer offers only templates and says why, the agent fills
 * order_update and sends it, and the fake Graph API received exactly that template.
 */
async function cloudConversation() {
  const { db, pool } = createDb(DATABASE_URL, { max: 2 });
  const boss = createBoss(DATABASE_URL, "web");
  await boss.start();
  try {
    // The engine's own descriptor once its worker has published it; until then one like it.
    const [published] = await db.select().from(waEngines).where(eq(waEngines.kind, "cloud"));
    if (!published) {
      const simulator = (await db.select().from(waEngines).where(eq(waEngines.kind, "simulator")))[0];
      await publishEngines(
        db,
        [
          {
            kind: "cloud",
            label: "WhatsApp Cloud API",
            description: "Meta's official API",
            capabilities: {
              text: true,
              media: ["image", "video", "audio", "document", "sticker", "location", "contacts"],
              reactions: true,
              quotedReplies: true,
              buttons: true,
              templates: true,
              serviceWindow: true,
              presence: false,
              readReceipts: true,
              pairing: [],
              webhookInbound: true,
              phoneEcho: false,
            },
            settings: ["pacing"],
            controls: [],
            addable: true,
          },
        ],
        simulator?.publishedBy ?? "e2e",
      );
    }
    const appSecret = readFileSync(path.join(E2E.dataDir, "app-secret"), "utf8").trim();
    const [session] = await db
      .insert(waSessions)
      .values({
        name: "Bakery (Cloud API)",
        kind: "cloud",
        engineConfig: {
          phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
          businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
          graphVersion: GRAPH_DEFAULT_VERSION,
        },
        engineSecrets: sealCloudSecrets(
          {
            accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
            appSecret: "e2e-cloud-app-secret",
            verifyToken: "e2e-verify-token",
          },
          appSecret,
        ),
      })
      .returning();
    await db
      .insert(waTemplates)
      .values(
        EXAMPLE_TEMPLATES.map((template) => ({
          sessionId: session!.id,
          metaId: String(template.id),
          name: String(template.name),
          language: String(template.language),
          category: String(template.category),
          status: String(template.status),
          components: template.components as never,
        })),
      )
      .onConflictDoNothing();
    const stored = await ingestInbound(db, boss, {
      sessionId: session!.id,
      waMessageId: `wamid.${randomUUID()}`,
      from: CONTACT.waId,
      pushName: CONTACT.name,
      type: "text",
      body: "Is my order ready?",
    });
    if (stored.status !== "stored") throw new Error(`the contact's message was not stored: ${stored.status}`);
    await db
      .update(messages)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(messages.id, stored.messageId));
    return { sessionId: session!.id, threadId: stored.threadId };
  } finally {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await pool.end();
  }
}

let prepared: ReturnType<typeof cloudConversation> | undefined;
/** One Cloud API number and conversation for this file's tests (a second number would be one more to show as down). */
const conversation = () => (prepared ??= cloudConversation());

async function templateRequests(): Promise<TFakeGraphRequest[]> {
  const all = (await (await fetch(`${GRAPH_URL}/__requests`)).json()) as TFakeGraphRequest[];
  return all.filter(
    (request) =>
      request.method === "POST" &&
      request.path.endsWith(`/${FAKE_GRAPH_DEFAULTS.number.id}/messages`) &&
      (request.body as { type?: string } | null)?.type === "template",
  );
}

test("[cloud] outside the 24-hour window the composer offers only templates, and order_update reaches the Graph API as Meta documents it", async ({
  page,
}) => {
  const { threadId } = await conversation();
  await login(page);
  await page.goto(`/inbox?filter=all&thread=${threadId}`);
  await expect(page.getByRole("heading", { name: CONTACT.name })).toBeVisible();

  // The header says the window closed; the composer has no text box, only templates and why.
  const window = page.getByTestId("service-window");
  await expect(window).toHaveAttribute("data-open", "false");
  await expect(window).toContainText(/Window closed 1 hr?( \d+ min)? ago — templates only/);
  const composer = page.getByTestId("composer");
  await expect(composer.getByTestId("window-closed-reason")).toContainText(
    `${CONTACT.name} last wrote more than 24 hours ago, so WhatsApp lets this number reach them only with an approved template`,
  );
  await expect(composer.getByLabel("Reply", { exact: true })).toHaveCount(0);
  await expect(composer.getByTestId("attach")).toHaveCount(0);

  // Only approved templates are offered (spring_sale was rejected).
  const choice = composer.getByLabel("Template", { exact: true });
  await expect(choice.locator("option")).toHaveText([
    "Choose a template…",
    "hello_world · en_US · UTILITY",
    "menu_photo · pt_BR · MARKETING",
    "order_update · en_US · UTILITY",
  ]);
  await choice.selectOption({ label: "order_update · en_US · UTILITY" });
  const preview = composer.getByTestId("template-preview");
  await expect(preview).toContainText("Hi {{1}}, your order {{2}} is on its way and arrives {{3}}.");
  await composer.getByLabel("Header, variable 1").fill("1042");
  await composer.getByLabel("Body, variable 1").fill("Ana");
  await composer.getByLabel("Body, variable 2").fill("#1042");
  await composer.getByLabel("Body, variable 3").fill("tomorrow");
  await composer.getByLabel("Button “Track it”: the end of its link").fill("1042");
  await expect(preview).toContainText("Order 1042");
  await expect(preview).toContainText("Hi Ana, your order #1042 is on its way and arrives tomorrow.");
  await expect(preview).toContainText("Reply STOP to opt out");
  await expectAccessible(page);
  await composer.getByRole("button", { name: "Send template" }).click();

  // The thread shows the template as a card; the Graph API got exactly the template request.
  const card = page.getByTestId("template-card").filter({ hasText: "order_update" });
  await expect(card).toContainText("Hi Ana, your order #1042 is on its way and arrives tomorrow.");
  await expect
    .poll(async () => (await templateRequests()).length, {
      timeout: 30_000,
      message: "the template request at the fake Graph API (needs the cloud engine's worker code)",
    })
    .toBeGreaterThan(0);
  const [request] = await templateRequests();
  expect(request!.path).toBe(`/${GRAPH_DEFAULT_VERSION}/${FAKE_GRAPH_DEFAULTS.number.id}/messages`);
  expect(request!.authorization).toBe(`Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`);
  const body = request!.body as {
    messaging_product: string;
    to: string;
    template: {
      name: string;
      language: { code: string };
      components: {
        type: string;
        sub_type?: string;
        index?: string | number;
        parameters: { type: string; text: string }[];
      }[];
    };
  };
  expect(body.messaging_product).toBe("whatsapp");
  expect(body.to.replace(/\D/g, "")).toBe(CONTACT.waId.replace(/\D/g, ""));
  expect(body.template.name).toBe("order_update");
  expect(body.template.language.code).toBe("en_US");
  const part = (type: string) => body.template.components.filter((component) => component.type === type);
  expect(part("header").map((component) => component.parameters)).toEqual([[{ type: "text", text: "1042" }]]);
  expect(part("body").map((component) => component.parameters)).toEqual([
    [
      { type: "text", text: "Ana" },
      { type: "text", text: "#1042" },
      { type: "text", text: "tomorrow" },
    ],
  ]);
  const url = part("button").filter((component) => component.sub_type === "url");
  expect(url.map((component) => [String(component.index), component.parameters])).toEqual([
    ["0", [{ type: "text", text: "1042" }]],
  ]);
});

test("[cloud] on a phone the template picker fits the screen", async ({ browser }) => {
  const { threadId } = await conversation();
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await login(page);
    await page.goto(`/inbox?filter=all&thread=${threadId}`);
    const composer = page.getByTestId("composer");
    await composer.getByLabel("Template", { exact: true }).selectOption({ label: "order_update · en_US · UTILITY" });
    await expect(composer.getByTestId("template-preview")).toBeVisible();
    await expectNoSidewaysScroll(page);
  } finally {
    await context.close();
  }
});
