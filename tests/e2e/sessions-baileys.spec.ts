import { expect, type Page, test } from "@playwright/test";
import { eq, inArray, sql } from "drizzle-orm";
import { createDb } from "~/db/client";
import { events, waEngines, waSessions } from "~/db/schema";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";
import { E2E } from "./stack";

/**
 * The Sessions page for an engine that links numbers by QR or by a code typed on the phone (the
 * Baileys engine's capabilities, asked of capabilities only): beside the QR, "Link with phone
 * number instead" takes the number, the request lands on the session row, and the code the worker
 * records (with its `session.status` event) appears live, split in two; the card shows how often
 * the number reconnected and what it costs in memory. The engine and its sessions are put in the
 * e2e database by the test (no worker runs this kind, and each session carries a lease of the
 * test's own), and removed afterwards — on a desktop and on a phone. The test writes the rows as
 * the runner's `recordSessionStatus` / `recordSessionMemory` would (the spec cannot load the
 * server's modules that read the JSON catalogues).
 */

const databaseUrl = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;
const KIND = "e2e-by-code";
const OWNER = "e2e-sessions-baileys";
const CODE = "K7QX9M2P";

let database: ReturnType<typeof createDb>;
const created: string[] = [];

test.beforeAll(async () => {
  database = createDb(databaseUrl, { max: 2 });
  await database.db.insert(waEngines).values({
    kind: KIND,
    label: "Socket test engine",
    description: "A test engine that links numbers by QR code or by a code typed on the phone.",
    capabilities: { ...NO_CAPABILITIES, text: true, pairing: ["qr", "code"], contactPresence: true },
    settings: [],
    controls: ["restart", "logout"],
    // Not offered in the add form: other journeys expect the engines they know there.
    addable: false,
    publishedBy: OWNER,
    updatedAt: new Date(),
  });
});

/** What the runner records when the engine reports: the row changes and a `session.status` event (which the page hears). */
async function reportStatus(
  id: string,
  change: { status: "qr" | "ready"; pairingCode?: string | null; phone?: string; reconnect?: true },
) {
  await database.db.transaction(async (tx) => {
    const [before] = await tx.select().from(waSessions).where(eq(waSessions.id, id)).for("update");
    await tx
      .update(waSessions)
      .set({
        status: change.status,
        ...(change.status === "ready" ? { qr: null, pairingCode: null } : {}),
        ...(change.pairingCode !== undefined ? { pairingCode: change.pairingCode } : {}),
        ...(change.phone ? { phone: change.phone } : {}),
        ...(change.reconnect ? { reconnectCount: sql`${waSessions.reconnectCount} + 1` } : {}),
        updatedAt: new Date(),
      })
      .where(eq(waSessions.id, id));
    await tx.insert(events).values({
      type: "session.status",
      sessionId: id,
      payload: {
        status: change.status,
        previous: before!.status,
        ...(change.pairingCode ? { pairing: "code" } : {}),
      },
    });
  });
}

/** What the runner records when it samples a session's memory. */
async function reportMemory(id: string, bytes: number, scope: "own" | "shared") {
  await database.db
    .update(waSessions)
    .set({ memoryBytes: bytes, memoryScope: scope, memoryAt: new Date() })
    .where(eq(waSessions.id, id));
}

test.afterAll(async () => {
  if (created.length > 0) await database.db.delete(waSessions).where(inArray(waSessions.id, created));
  await database.db.delete(waEngines).where(eq(waEngines.kind, KIND));
  await database.pool.end();
});

/** A number of the test engine waiting for a scan (with a QR), under the test's lease so no worker runs it. */
async function addLinkingSession(name: string): Promise<string> {
  const [session] = await database.db
    .insert(waSessions)
    .values({
      name,
      kind: KIND,
      status: "qr",
      qr: "2@e2e-pairing-qr,abcdefghijklmnop,0123456789",
      statusChangedAt: new Date(),
      leaseOwner: OWNER,
      leaseExpiresAt: sql`now() + interval '10 minutes'`,
    })
    .returning({ id: waSessions.id });
  created.push(session!.id);
  return session!.id;
}

async function pairingPhoneOf(id: string): Promise<string | null> {
  const [row] = await database.db
    .select({ pairingPhone: waSessions.pairingPhone })
    .from(waSessions)
    .where(eq(waSessions.id, id));
  return row?.pairingPhone ?? null;
}

/** Asks for a code on the page and checks the request reached the row; then the worker's code appears live. */
async function linkByCode(page: Page, name: string, id: string) {
  const card = page.getByTestId("session-card").filter({ hasText: name });
  await expect(card.getByTestId("session-qr")).toBeVisible();
  const pairing = card.getByTestId("session-pairing");
  await expect(pairing.getByRole("heading", { name: "Link with phone number instead" })).toBeVisible();

  // Not a number: the field says why, nothing is stored.
  await pairing.getByLabel("Phone number to link").fill("12");
  await pairing.getByRole("button", { name: "Get a pairing code" }).click();
  await expect(pairing.getByRole("alert")).toContainText(/too short|not a (valid|phone) number/i);
  expect(await pairingPhoneOf(id)).toBeNull();

  await pairing.getByLabel("Phone number to link").fill("+55 11 98765-4321");
  await pairing.getByRole("button", { name: "Get a pairing code" }).click();
  await expect(pairing.getByTestId("session-pairing-waiting")).toHaveText("Waiting for the code for +5511987654321…");
  await expect.poll(() => pairingPhoneOf(id)).toBe("+5511987654321");

  // The worker records the code WhatsApp gave (with its session.status event): it shows without a reload.
  await reportStatus(id, { status: "qr", pairingCode: CODE });
  await expect(pairing.getByTestId("session-pairing-code-value")).toHaveText("K7QX-9M2P", { timeout: 10_000 });
  await expect(pairing.getByTestId("session-pairing-code")).toContainText("Code for +5511987654321:");
  await expect(pairing).toContainText("Tap Link with phone number instead.");
  await expect(card.getByTestId("session-qr")).toBeVisible();
  return card;
}

test("[admin] links a number by a code typed on the phone, and sees its reconnects and memory", async ({ page }) => {
  const name = "Pairing desk (by code)";
  const id = await addLinkingSession(name);
  // It reconnected three times; its worker measured its share of the worker's memory.
  for (let i = 0; i < 3; i++) await reportStatus(id, { status: "qr", reconnect: true });
  await reportMemory(id, 18_400_000, "shared");
  // A linked one of an engine with a browser of its own: no pairing, its browser's memory.
  const [linked] = await database.db
    .insert(waSessions)
    .values({
      name: "Linked desk (by code)",
      kind: KIND,
      status: "ready",
      phone: "+14155550177",
      statusChangedAt: new Date(),
      leaseOwner: OWNER,
      leaseExpiresAt: sql`now() + interval '10 minutes'`,
    })
    .returning({ id: waSessions.id });
  created.push(linked!.id);
  await reportMemory(linked!.id, 412_000_000, "own");

  await login(page);
  await page.goto("/sessions");
  const card = await linkByCode(page, name, id);
  await expect(card.getByTestId("session-reconnects")).toHaveText("Reconnected 3 times");
  await expect(card.getByTestId("session-memory")).toContainText("≈ 18 MB (share of the worker) measured");

  const linkedCard = page.getByTestId("session-card").filter({ hasText: "Linked desk (by code)" });
  await expect(linkedCard.getByTestId("session-memory")).toContainText("412 MB (its browser) measured");
  await expect(linkedCard.getByTestId("session-reconnects")).toHaveCount(0);
  await expect(linkedCard.getByTestId("session-pairing")).toHaveCount(0);

  // Linked: the code goes (the worker's report clears it), and so does the form.
  await reportStatus(id, { status: "ready", phone: "+5511987654321" });
  await expect(card.getByTestId("session-pairing")).toHaveCount(0, { timeout: 10_000 });
  await expectAccessible(page);
});

test("[admin, phone] the QR, the pairing form and the code fit a phone's screen", async ({ browser }) => {
  const name = "Pocket desk (by code)";
  const id = await addLinkingSession(name);
  await reportStatus(id, { status: "qr", reconnect: true });
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await login(page);
    await page.goto("/sessions");
    const card = page.getByTestId("session-card").filter({ hasText: name });
    await expect(card.getByTestId("session-reconnects")).toHaveText("Reconnected 1 time");
    await expectNoSidewaysScroll(page);
    await linkByCode(page, name, id);
    await card.getByTestId("session-pairing-code-value").scrollIntoViewIfNeeded();
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});
