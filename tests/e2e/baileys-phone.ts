/**
 * A number linked through Baileys for the browser tests, driven by the fake Baileys socket
 * (tests/support/fake-baileys.ts) through the REAL engine code (workers/engines/baileys), session
 * runner and auth state in Postgres, against the e2e stack's database and media folder. Started
 * by a spec as a child process (`node --import tsx`), it adds a session of engine `baileys` with
 * this process's lease already on it (so only this process runs it), prints `SESSION <json>`
 * once its QR is up, and then takes one command per line on stdin, answering each with one line
 * on stdout (`OK <json>` or `ERR <message>`):
 *
 * - `scan`: the phone links (QR or the pairing code typed); answers once the session is ready.
 * - `text <words>`: the contact writes; answers with the id of the reply the bot sent back.
 * - `ack <id> <3|4>`: WhatsApp reports the message delivered (3) or read (4).
 * - `voice`: the contact sends a 2-second voice note (real OGG/Opus bytes, encrypted on the fake
 *   media server as WhatsApp stores them); answers once its file is stored.
 * - `watched`: answers once the Inbox asked for the contact's presence (a presence subscription).
 * - `presence <composing|recording|available|paused>`: the contact's presence changes.
 *
 * On SIGTERM it stops and deletes the session (with its messages).
 */
import path from "node:path";
import readline from "node:readline";
import { and, eq, sql } from "drizzle-orm";
import { createDb } from "~/db/client";
import { messages, waSessions } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { createFsMediaStore } from "~/server/media/store-fs";
import { createSessionRunner } from "~/workers/sessions/runner";
import { createFakeBaileys, fakeBaileysOptions, textMessage } from "../support/fake-baileys";
import { startFakeWhatsappMedia } from "../support/fake-whatsapp-media";
import { oggOpusBytes } from "../support/media-fixtures";
import { E2E } from "./stack";

const OWNER = `e2e-baileys-phone-${process.pid}`;
/** The contact who writes (not one other specs use). */
export const BAILEYS_CONTACT = { jid: "5511987650077@s.whatsapp.net", phone: "+5511987650077", name: "Bruno Baileys" };

const databaseUrl = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

async function main() {
  const log = createLogger("e2e-baileys-phone", "warn");
  const { db, pool } = createDb(databaseUrl, { max: 4 });
  const boss = createBoss(databaseUrl, "worker");
  await boss.start();
  const media = await startFakeWhatsappMedia({ lifetimeMs: 10 * 60_000 });
  const [session] = await db
    .insert(waSessions)
    .values({
      name: process.env.BAILEYS_SESSION_NAME ?? "Shop floor (Baileys)",
      kind: "baileys",
      leaseOwner: OWNER,
      leaseExpiresAt: sql`now() + interval '10 minutes'`,
      settings: { pacing: { enabled: false } },
    })
    .returning({ id: waSessions.id });
  const sessionId = session!.id;
  const fake = createFakeBaileys({ number: "14155550177", qrRefreshMs: 60_000 });
  const runner = createSessionRunner({
    db,
    boss,
    log,
    owner: OWNER,
    databaseUrl,
    leaseTtlS: 60,
    sendConcurrency: 2,
    engines: { baileys: fakeBaileysOptions(fake.factory) },
    mediaStore: createFsMediaStore(path.join(E2E.dataDir, "media")),
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runner.release().catch(() => undefined);
    await db.delete(waSessions).where(eq(waSessions.id, sessionId));
    await media.close().catch(() => undefined);
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // Never outlive the test that started it.
  setTimeout(() => void stop(), 8 * 60_000).unref();

  const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const status = async () => (await db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status;
  const socket = () => fake.sockets.at(-1);

  await runner.start();
  await waitUntil("the QR", async () => ((await status()) === "qr" ? true : undefined));
  process.stdout.write(`SESSION ${JSON.stringify({ sessionId })}\n`);

  const commands: Record<string, (args: string[]) => Promise<unknown>> = {
    async scan() {
      await socket()!.scan();
      await waitUntil("the link", async () => ((await status()) === "ready" ? true : undefined));
      return { status: "ready", sockets: fake.sockets.length };
    },
    async text(args) {
      const before = socket()!.sent.length;
      const message = textMessage(BAILEYS_CONTACT.jid, args.join(" "), { pushName: BAILEYS_CONTACT.name });
      socket()!.deliver(message);
      const reply = await waitUntil("the bot's reply", () =>
        Promise.resolve(
          socket()!
            .sent.slice(before)
            .find((sent) => sent.jid === BAILEYS_CONTACT.jid),
        ),
      );
      return {
        inbound: message.key.id,
        reply: reply.message.key.id,
        text: "text" in reply.content ? reply.content.text : null,
      };
    },
    ack(args) {
      socket()!.receipt(BAILEYS_CONTACT.jid, args[0]!, Number(args[1]));
      return Promise.resolve({ acked: args[0] });
    },
    async voice() {
      const bytes = oggOpusBytes(2);
      const file = await media.add(bytes, "audio");
      const id = `3A${Date.now().toString(16).toUpperCase()}VOICE`;
      socket()!.deliver({
        key: { remoteJid: BAILEYS_CONTACT.jid, fromMe: false, id },
        messageTimestamp: Math.floor(Date.now() / 1000),
        pushName: BAILEYS_CONTACT.name,
        message: {
          audioMessage: {
            url: file.url,
            directPath: file.directPath,
            mediaKey: file.mediaKey,
            fileSha256: file.fileSha256,
            fileEncSha256: file.fileEncSha256,
            fileLength: file.fileLength,
            mimetype: "audio/ogg; codecs=opus",
            seconds: 2,
            ptt: true,
          },
        },
      });
      const stored = await waitUntil(
        "the voice note's file",
        async () => {
          const [row] = await db
            .select({ content: messages.content, processedAt: messages.processedAt })
            .from(messages)
            .where(and(eq(messages.sessionId, sessionId), eq(messages.waMessageId, id)));
          const state = (row?.content as { media?: { state?: string } } | undefined)?.media?.state;
          return row?.processedAt && state && state !== "pending" ? state : undefined;
        },
        60_000,
      );
      return { id, state: stored, downloads: media.requests.length };
    },
    async watched() {
      const jid = await waitUntil("a presence subscription", () =>
        Promise.resolve(
          fake.sockets.flatMap((each) => each.subscriptions).find((each) => each === BAILEYS_CONTACT.jid),
        ),
      );
      return { jid };
    },
    presence(args) {
      socket()!.presence(BAILEYS_CONTACT.jid, args[0] as "composing");
      return Promise.resolve({ presence: args[0], at: Date.now() });
    },
  };

  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const [name, ...args] = line.trim().split(/\s+/);
    const command = name ? commands[name] : undefined;
    if (!command) {
      process.stdout.write(`ERR unknown command ${name}\n`);
      return;
    }
    command(args).then(
      (result) => process.stdout.write(`OK ${JSON.stringify(result)}\n`),
      (error: unknown) => process.stdout.write(`ERR ${(error as Error).message}\n`),
    );
  });
  lines.on("close", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
