/**
 * A linked WhatsApp number for the browser tests, driven by the fake whatsapp-web.js client
 * (tests/support/fake-wwebjs.ts) through the REAL engine code and session runner, against the
 * e2e stack's database and media folder. Started by a spec as a child process (`node --import
 * tsx`), it links a number of engine `wwebjs`, has a contact send real files (a JPEG, an OGG/Opus
 * voice note, an MP4, a PDF, a PDF claiming to be a photo) and a location, waits until the stack's
 * worker has processed each, and prints one line `READY <json>` with their WhatsApp ids. On
 * SIGTERM it stops and deletes the session (with its messages), so later specs find the stack as
 * they expect and the stack's worker never tries the real whatsapp-web.js on it.
 *
 * The stack's worker runs whatsapp-web.js too (CHROMIUM_PATH is set): the session is created with
 * this process's lease already on it, so only this process runs it.
 */
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { createDb } from "~/db/client";
import { messages, waSessions } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { createFsMediaStore } from "~/server/media/store-fs";
import { RAW_PAYLOADS } from "~/workers/engines/wwebjs/payloads.fixture";
import { createSessionRunner } from "~/workers/sessions/runner";
import { createFakeWwebjs, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { jpegBytes, oggOpusBytes, pdfBytes, playableMp4Bytes } from "../support/media-fixtures";
import { E2E } from "./stack";

const OWNER = `e2e-fake-phone-${process.pid}`;
/** The contact who writes (not one other specs use). */
export const FAKE_PHONE_CONTACT = { chatId: "5511987650042@c.us", phone: "+5511987650042", name: "Rita Recibo" };

const databaseUrl = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

async function main() {
  const log = createLogger("e2e-fake-phone", "warn");
  const { db, pool } = createDb(databaseUrl, { max: 4 });
  const boss = createBoss(databaseUrl, "worker");
  await boss.start();
  const [session] = await db
    .insert(waSessions)
    .values({
      name: "Front desk (fake phone)",
      kind: "wwebjs",
      leaseOwner: OWNER,
      leaseExpiresAt: sql`now() + interval '10 minutes'`,
    })
    .returning({ id: waSessions.id });
  const sessionId = session!.id;
  const fake = createFakeWwebjs({ phone: "14155550100" });
  const runner = createSessionRunner({
    db,
    boss,
    log,
    owner: OWNER,
    databaseUrl,
    leaseTtlS: 60,
    sendConcurrency: 2,
    engines: { wwebjs: await fakeWwebjsOptions(fake.factory) },
    mediaStore: createFsMediaStore(path.join(E2E.dataDir, "media")),
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runner.release().catch(() => undefined);
    await db.delete(waSessions).where(eq(waSessions.id, sessionId));
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // Never outlive the test that started it.
  setTimeout(() => void stop(), 5 * 60_000).unref();

  await runner.start();
  const waitUntil = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`the fake phone gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const status = async () => (await db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status;
  const client = await waitUntil("the client", () => Promise.resolve(fake.latest()));
  await waitUntil("the QR", async () => ((await status()) === "qr" ? true : undefined));
  await client.scan();
  await waitUntil("the link", async () => ((await status()) === "ready" ? true : undefined));

  const contact = FAKE_PHONE_CONTACT.chatId;
  let sequence = 0;
  const raw = (type: string, fields: Record<string, unknown>) => {
    sequence += 1;
    const id = `3EB0E2E${String(sequence).padStart(13, "0")}`;
    return {
      ...RAW_PAYLOADS.image,
      id: { fromMe: false, remote: contact, id, _serialized: `false_${contact}_${id}` },
      from: contact,
      notifyName: FAKE_PHONE_CONTACT.name,
      type,
      t: Math.floor(Date.now() / 1000),
      body: "",
      caption: undefined,
      width: undefined,
      height: undefined,
      size: undefined,
      ...fields,
    };
  };
  const sent: Record<string, string> = {};
  const send = (name: string, type: string, bytes: Buffer, mimetype: string, fields: Record<string, unknown> = {}) => {
    const message = raw(type, { mimetype, ...fields });
    client.deliverMedia(message, {
      bytes,
      mimetype,
      ...(typeof fields.filename === "string" ? { filename: fields.filename } : {}),
    });
    sent[name] = message.id._serialized;
  };
  send("image", "image", await jpegBytes(800, 600), "image/jpeg", { caption: "the receipt from Tuesday" });
  send("voice", "ptt", oggOpusBytes(2), "audio/ogg; codecs=opus", { duration: 2 });
  send("video", "video", playableMp4Bytes(), "video/mp4", { duration: 1 });
  send("document", "document", pdfBytes("Invoice 77"), "application/pdf", { filename: "invoice-77.pdf" });
  // A PDF renamed to look like a photo.
  send("lying", "image", pdfBytes("Not a photo"), "image/jpeg", { filename: "holiday.jpg", caption: "my photo" });
  const location = client.deliverRaw({
    ...RAW_PAYLOADS.location,
    id: {
      fromMe: false,
      remote: contact,
      id: "3EB0E2ELOCATION00001",
      _serialized: `false_${contact}_3EB0E2ELOCATION00001`,
    },
    from: contact,
    notifyName: FAKE_PHONE_CONTACT.name,
    t: Math.floor(Date.now() / 1000),
  });
  sent.location = location.id._serialized;

  // Processed by the stack's worker, once each file is stored (or refused).
  await waitUntil(
    "the messages to be processed",
    async () => {
      const rows = await db
        .select({ waMessageId: messages.waMessageId, processedAt: messages.processedAt })
        .from(messages)
        .where(inArray(messages.waMessageId, Object.values(sent)));
      return rows.length === Object.keys(sent).length && rows.every((row) => row.processedAt) ? true : undefined;
    },
    90_000,
  );
  process.stdout.write(`READY ${JSON.stringify({ sessionId, sent })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
