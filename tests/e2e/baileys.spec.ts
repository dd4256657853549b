import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, fromBot, login, sendAsContact, startChat, trpc } from "./helpers";

/**
 * A Baileys number from end to end in the browser: the fake Baileys socket
 * (tests/e2e/baileys-phone.ts, a child process running the REAL engine, runner and Postgres auth
 * state) behind the real web and the stack's worker. The Sessions page shows its QR live and a
 * pairing code for "Link with phone number instead"; once linked, a contact's text gets the
 * published rule's reply, WhatsApp's receipts move its ticks, a voice note is stored and plays,
 * and the contact's "typing…" shows in the open conversation within a second.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const SESSION_NAME = "Shop floor (Baileys)";
const CONTACT_NAME = "Bruno Baileys";
const KEYWORD = "pumpernickel";
const REPLY = "Pumpernickel loaves are ready at 8, every day but Monday.";

type TPhone = {
  sessionId: string;
  run: <T = Record<string, unknown>>(command: string) => Promise<T>;
};

let child: ChildProcess | null = null;

/** Starts the Baileys phone and waits for its session's QR. */
function startBaileysPhone(): Promise<TPhone> {
  const started = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/e2e/baileys-phone.ts")], {
    cwd: ROOT,
    env: { ...process.env, BAILEYS_SESSION_NAME: SESSION_NAME },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child = started;
  let log = "";
  const waiting: ((line: string) => void)[] = [];
  started.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: started.stdout }).on("line", (line) => {
      log += `${line}\n`;
      if (line.startsWith("SESSION ")) {
        const { sessionId } = JSON.parse(line.slice("SESSION ".length)) as { sessionId: string };
        resolve({
          sessionId,
          run: (command) =>
            new Promise((answer, fail) => {
              waiting.push((reply) => {
                if (reply.startsWith("OK ")) answer(JSON.parse(reply.slice(3)) as never);
                else fail(new Error(`${command}: ${reply}\n${log.slice(-3_000)}`));
              });
              started.stdin.write(`${command}\n`);
            }),
        });
      } else if (line.startsWith("OK ") || line.startsWith("ERR ")) {
        waiting.shift()?.(line);
      }
    });
    started.on("exit", (code) => reject(new Error(`the Baileys phone exited (${code}):\n${log.slice(-3_000)}`)));
  });
}

/**
 * Stops the Baileys phone (it deletes its session). Its runner would take any Baileys session
 * it finds free, so it must not outlive the test that needs it.
 */
async function stopBaileysPhone() {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.on("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

test.afterAll(stopBaileysPhone);

function sessionCard(page: Page) {
  return page.getByTestId("session-card").filter({ hasText: SESSION_NAME });
}

test("[admin, agent] a Baileys number: QR and pairing code live, a rule's reply with ticks, a voice note that plays, and the contact's typing within a second", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await login(page);
  await trpc(page, "rules.create", {
    name: "Pumpernickel hours",
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: KEYWORD }] },
    actions: [{ type: "reply", text: REPLY }],
  });
  await trpc(page, "rules.publish", { note: "Baileys journey" });

  const phone = await startBaileysPhone();

  // (1) The QR, live on the Sessions page.
  await page.goto("/sessions");
  const card = sessionCard(page);
  await expect(card.getByTestId("session-qr").getByRole("img")).toBeVisible({ timeout: 20_000 });

  // Pairing by code instead: the number typed here reaches the worker at once; the code it got
  // from WhatsApp shows live, split in two halves as the phone shows its boxes.
  await expect(card.getByRole("heading", { name: "Link with phone number instead" })).toBeVisible();
  await card.getByLabel("Phone number to link").fill("+1 415 555 0177");
  await card.getByRole("button", { name: "Get a pairing code" }).click();
  const code = card.getByTestId("session-pairing-code-value");
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/, { timeout: 15_000 });
  await expectAccessible(page);

  // The phone links: the card says so, without a reload.
  await phone.run("scan");
  await expect(card.getByTestId("session-status")).toHaveText("Connected", { timeout: 15_000 });
  await expect(card.getByTestId("session-phone")).toHaveText("+14155550177");

  // A contact writes: the published rule's reply goes back through the socket.
  const { reply, text } = await phone.run<{ reply: string; text: string }>(`text Any ${KEYWORD} left today?`);
  expect(text).toBe(REPLY);

  await page.goto("/inbox");
  await page.getByRole("button", { name: /^All/ }).click();
  await page
    .getByRole("list", { name: "Conversations: All" })
    .getByRole("link")
    .filter({ hasText: CONTACT_NAME })
    .click();
  await page.waitForURL(/thread=/);
  await expect(page.getByTestId("message-in").filter({ hasText: `Any ${KEYWORD} left today?` })).toBeVisible();
  const ticks = page.getByTestId("message-out").filter({ hasText: REPLY }).locator("[data-status]");
  await expect(ticks).toHaveAttribute("data-status", "sent");
  // WhatsApp's receipts move the ticks, live.
  await phone.run(`ack ${reply} 3`);
  await expect(ticks).toHaveAttribute("data-status", "delivered", { timeout: 15_000 });
  await phone.run(`ack ${reply} 4`);
  await expect(ticks).toHaveAttribute("data-status", "read", { timeout: 15_000 });

  // A voice note: fetched from the (fake) WhatsApp media server, decrypted, stored, playable.
  const voice = await phone.run<{ state: string }>("voice");
  expect(voice.state).toBe("stored");
  const audio = page.locator('[data-testid="message-in"][data-kind="voice"]').getByTestId("media-audio");
  await expect
    .poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(1);
  expect(await audio.evaluate((element: HTMLAudioElement) => element.duration)).toBeGreaterThan(0);

  // (4) The open conversation asked for the contact's presence; their "typing…" shows within a second.
  await phone.run("watched");
  const presence = page.getByTestId("contact-presence");
  const { at } = await phone.run<{ at: number }>("presence composing");
  await expect(presence).toHaveText(/typing/i, { timeout: 5_000 });
  const shownAfterMs = Date.now() - at;
  expect(shownAfterMs, `"typing…" showed ${shownAfterMs} ms after the contact started`).toBeLessThan(1_000);
  await phone.run("presence recording");
  await expect(presence).toHaveText(/recording/i, { timeout: 5_000 });
  await phone.run("presence paused");
  await expect(presence).not.toHaveText(/typing|recording/i, { timeout: 5_000 });
  await stopBaileysPhone();
});

test("[admin] a Baileys number added on the Sessions page runs the real library: offline, it says WhatsApp is unreachable, and the simulator keeps answering", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = "Offline counter (Baileys)";
  await login(page);
  await trpc(page, "rules.create", {
    name: "Stollen season",
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "stollen" }] },
    actions: [{ type: "reply", text: "Stollen from the first of December." }],
  });
  await trpc(page, "rules.publish", { note: "Baileys offline" });

  await page.goto("/sessions");
  const engine = page.getByLabel("Engine", { exact: true });
  await expect(engine).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await engine.selectOption({ label: "WhatsApp (Baileys)" });
  await page.getByRole("button", { name: "Add number" }).click();
  const card = page.getByTestId("session-card").filter({ hasText: name });
  await expect(card).toBeVisible();
  const sessionId = await card.getAttribute("data-session-id");
  try {
    // The stack's worker runs the real Baileys socket; this machine cannot reach WhatsApp. The
    // status then cycles (failed, reconnecting on its backoff); the reason stays on show.
    await expect(card.getByRole("alert")).toContainText(
      "WhatsApp is unreachable from this machine (getaddrinfo ENOTFOUND web.whatsapp.com)",
      { timeout: 45_000 },
    );
    await expect(card.getByTestId("session-status")).toHaveText(/Failed|Reconnecting/);

    // The same worker keeps serving its other sessions.
    await startChat(page, "+14155550188", "Rita Rye");
    await sendAsContact(page, "Is there stollen yet?");
    await expect(fromBot(page, "Stollen from the first of December.")).toBeVisible({ timeout: 20_000 });
  } finally {
    // Not left running: its failures every few seconds would keep redrawing other specs' Sessions page.
    await trpc(page, "sessions.delete", { id: sessionId });
  }
});
