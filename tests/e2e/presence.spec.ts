import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";
import { E2E } from "./stack";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DATABASE_URL = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;
/** server/sessions/presence.ts and server/sessions/requests.ts (their modules load the catalogue: not imported here). */
const PRESENCE_CHANNEL = "switchboard_presence";
const SESSION_REQUESTS_CHANNEL = "switchboard_session_requests";
/** Acceptance 4 of issue 20: "typing…" from the contact appears within a second. */
const WITHIN_MS = 1_000;

type TConversation = { waId: string; name: string; threadId: string; contactId: string };
type TPrepared = { sessionId: string; conversations: [TConversation, TConversation] };

/** Runs tests/e2e/presence-conversation.ts (the real ingest, against the stack's database). */
function conversationScript(...args: string[]): string {
  return execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "tests/e2e/presence-conversation.ts"), ...args],
    { cwd: ROOT, env: process.env, encoding: "utf8" },
  );
}

let prepared: TPrepared | undefined;
/** One number of an engine with contactPresence, two conversations (one per viewport: the server announces a thread's watch at most every 10 s). */
function conversations(): TPrepared {
  if (prepared) return prepared;
  const line = conversationScript("setup")
    .split("\n")
    .find((text) => text.startsWith("READY "));
  if (!line) throw new Error("the presence conversations were not set up");
  prepared = JSON.parse(line.slice("READY ".length)) as TPrepared;
  return prepared;
}

let db: pg.Client;
/** The session requests the web announced (what the number's worker would hear). */
const requests: unknown[] = [];

test.beforeAll(async () => {
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  db.on("notification", (message) => {
    if (message.channel === SESSION_REQUESTS_CHANNEL && message.payload) requests.push(JSON.parse(message.payload));
  });
  await db.query(`LISTEN ${SESSION_REQUESTS_CHANNEL}`);
});

test.afterAll(async () => {
  await db?.end();
  if (prepared) conversationScript("teardown", prepared.sessionId);
});

/** What the worker announces when the engine reports the contact's presence (a TPresenceNotice). */
async function announce(sessionId: string, conversation: TConversation, state: string) {
  const notice = {
    sessionId,
    contactId: conversation.contactId,
    threadId: conversation.threadId,
    state,
    lastSeen: null,
    at: new Date().toISOString(),
  };
  await db.query("select pg_notify($1, $2)", [PRESENCE_CHANNEL, JSON.stringify(notice)]);
}

/**
 * Opens the conversation, checks the watch request reached the database's channel, then plays
 * the contact's presence: typing (timed), recording, paused (clears), and typing that fades
 * after 25 s with no new notice (the page's clock is run forward for it).
 */
async function followPresence(page: Page, sessionId: string, conversation: TConversation, phone: boolean) {
  await login(page);
  // The page's timers run at real speed until the test runs them forward (the 25-s fade).
  await page.clock.install();
  // The live stream is subscribed once its response has started (app/api/events/route.ts).
  const stream = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/events");
  await page.goto(`/inbox?filter=all&thread=${conversation.threadId}`);
  await expect(page.getByRole("heading", { name: conversation.name })).toBeVisible();
  expect((await stream).status()).toBe(200);

  // Opening the conversation asked the number's worker to watch this contact.
  await expect
    .poll(() => requests, { message: "the watch request on switchboard_session_requests" })
    .toContainEqual({ sessionId, request: "presence", to: conversation.waId });

  const presence = page.getByTestId("contact-presence");
  await expect(presence).toHaveAttribute("role", "status");
  await expect(presence).toHaveAttribute("aria-live", "polite");
  await expect(presence).toHaveText("");

  const started = Date.now();
  await announce(sessionId, conversation, "typing");
  await expect(presence).toHaveText("typing…", { timeout: WITHIN_MS });
  const elapsed = Date.now() - started;
  expect(elapsed, `"typing…" showed ${elapsed} ms after the notice`).toBeLessThan(WITHIN_MS);
  console.log(`presence: "typing…" showed ${elapsed} ms after the notice (${phone ? "phone" : "desktop"})`);
  await expectAccessible(page);
  if (phone) await expectNoSidewaysScroll(page);

  await announce(sessionId, conversation, "recording");
  await expect(presence).toHaveText("recording audio…");
  await announce(sessionId, conversation, "paused");
  await expect(presence).toHaveText("");
  await expect(presence).toHaveAttribute("data-state", "none");

  // WhatsApp sends no "stopped" when the contact closes the app: typing fades on its own.
  await announce(sessionId, conversation, "typing");
  await expect(presence).toHaveText("typing…");
  await page.clock.runFor(24_000);
  await expect(presence).toHaveText("typing…");
  await page.clock.runFor(1_500);
  await expect(presence).toHaveText("");
}

async function inContext(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0],
  body: (page: Page) => Promise<void>,
) {
  const context = await browser.newContext(options);
  try {
    await body(await context.newPage());
  } finally {
    await context.close();
  }
}

test("[presence] an open conversation shows the contact typing within a second, then recording, then nothing (desktop)", async ({
  page,
}) => {
  const {
    sessionId,
    conversations: [desktop],
  } = conversations();
  await followPresence(page, sessionId, desktop, false);
});

test("[presence] the same on a phone", async ({ browser }) => {
  const {
    sessionId,
    conversations: [, phone],
  } = conversations();
  await inContext(browser, PHONE, (page) => followPresence(page, sessionId, phone, true));
});
