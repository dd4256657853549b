import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { GRAPH_DEFAULT_VERSION as GRAPH_VERSION } from "~/server/cloud/config";
import { FAKE_GRAPH_DEFAULTS, type TFakeGraphRequest } from "../support/fake-graph-server";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";
import { GRAPH_URL } from "./stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The contact tests/e2e/cloud-conversation.ts sets up (its module loads the catalogue: not imported here). */
const CONTACT = { waId: "+14155550177", name: "Ana Souza" };

/** Runs tests/e2e/cloud-conversation.ts (the real ingest and sealing, against the stack's database). */
function conversationScript(...args: string[]): string {
  return execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "tests/e2e/cloud-conversation.ts"), ...args],
    {
      cwd: ROOT,
      env: process.env,
      encoding: "utf8",
    },
  );
}

/**
 * Acceptance 3 of the Cloud API: a conversation on a Cloud API number whose contact last wrote
 * more than 24 hours ago (set up by tests/e2e/cloud-conversation.ts); the rest is the browser:
 * the composer offers only templates and says why, the agent fills order_update and sends it,
 * and the fake Graph API received exactly that template.
 */
function cloudConversation(): Promise<{ sessionId: string; threadId: string }> {
  const line = conversationScript("setup")
    .split("\n")
    .find((text) => text.startsWith("READY "));
  if (!line) throw new Error("the Cloud API conversation was not set up");
  return Promise.resolve(JSON.parse(line.slice("READY ".length)) as { sessionId: string; threadId: string });
}

test.afterAll(async () => {
  if (prepared) conversationScript("teardown", (await prepared).sessionId);
});

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

  // The thread shows the template as a card (a refusal would show in the composer instead); the
  // Graph API got exactly the template request.
  const card = page.getByTestId("template-card").filter({ hasText: "order_update" });
  await expect(card.or(composer.getByRole("alert")).first()).toBeVisible();
  expect(await composer.getByRole("alert").allTextContents()).toEqual([]);
  await expect(card).toContainText("Hi Ana, your order #1042 is on its way and arrives tomorrow.");
  await expect
    .poll(async () => (await templateRequests()).length, {
      timeout: 30_000,
      message: "the template request at the fake Graph API (needs the cloud engine's worker code)",
    })
    .toBeGreaterThan(0);
  const [request] = await templateRequests();
  expect(request!.path).toBe(`/${GRAPH_VERSION}/${FAKE_GRAPH_DEFAULTS.number.id}/messages`);
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
