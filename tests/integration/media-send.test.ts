import { createHash } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, mediaObjects, messages, simulatorDeliveries, threads, waEngines, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { sendAgentReply } from "~/server/inbox/compose";
import { intakeMedia } from "~/server/media/intake";
import { createMediaAsset, deleteMediaAsset } from "~/server/media/library";
import { createFsMediaStore } from "~/server/media/store-fs";
import type { TMediaStore } from "~/server/media/store";
import type { TOutboundSend } from "~/server/messaging/outbound";
import { createRule, publishDraft } from "~/server/rules/rules";
import type { TEngineConnection } from "~/workers/engines/types";
import { insertUser } from "../support/database";
import { jpegBytes, oggOpusBytes, pdfBytes } from "../support/media-fixtures";
import { createFakeWwebjs, FAKE_WWEBJS_APP_SECRET, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { createLogger } from "~/server/logger";
import { createPostgresAuthStore } from "~/server/sessions/auth-store";
import { createWwebjsConnection } from "~/workers/engines/wwebjs";
import type { TPhoneMessage } from "~/workers/engines/types";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";
import { inbound, startPipeline, waitForProcessed, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";

const jpeg = () => jpegBytes(64, 48);
const oggOpus = () => oggOpusBytes(1);
const pdf = () => pdfBytes("Invoice 42");

/** A file taken in as uploads and downloads are (its real type found from its bytes). */
async function storeFile(db: TDb, store: TMediaStore, bytes: Buffer) {
  return (await intakeMedia(db, store, Readable.from([bytes]), {})).sha256;
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** What the simulator's transport was asked to send, with the bytes its file opened to. */
type TCaptured = { send: TOutboundSend; bytes: Buffer | null };

async function mediaPipeline() {
  const store = createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-media-send-")));
  const captured: TCaptured[] = [];
  const pipeline = await startPipeline({
    mediaStore: store,
    createTransport: (base): TEngineConnection => ({
      ...base,
      async send(message, signal) {
        const bytes = message.media ? Buffer.concat(await (await message.media.open()).toArray()) : null;
        captured.push({ send: message, bytes });
        return base.send(message, signal);
      },
    }),
  });
  return { ...pipeline, store, captured };
}

/** A contact who wrote once (their thread exists), and an agent. */
async function conversation(pipeline: TPipeline, waId: string) {
  const first = await inbound(pipeline, waId, "hello");
  await waitForProcessed(pipeline.db, first);
  const [row] = await pipeline.db
    .select({ threadId: messages.threadId })
    .from(messages)
    .where(eq(messages.id, first.status === "stored" ? first.messageId : ""));
  return { threadId: row!.threadId, agent: await insertUser(pipeline.db, "agent") };
}

function waitForMessage(db: TDb, id: string, status: "sent" | "failed") {
  return waitFor(
    async () => {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row && (status === "failed" ? row.status === "failed" : row.status !== "queued" && row.status !== "failed")
        ? row
        : undefined;
    },
    20_000,
    `message ${id} to be ${status}`,
  );
}

describe("sending media through the engines", () => {
  it("[agent] replies with a JPEG: the simulator's send gets the file's bytes, the message is the image with its caption", async () => {
    const pipeline = await mediaPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001001");
    const photo = await jpeg();
    const sha256 = await storeFile(pipeline.db, pipeline.store, photo);

    const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      body: "Your receipt",
      attachment: { sha256, kind: "image" },
    });
    const row = await waitForMessage(pipeline.db, stored.id, "sent");
    expect(row.type).toBe("image");
    expect(row.body).toBe("Your receipt");
    expect(row.content).toMatchObject({
      kind: "image",
      caption: "Your receipt",
      media: { mimeType: "image/jpeg", storageKey: sha256, sha256, size: photo.length, state: "stored" },
    });
    const sent = pipeline.captured.find((entry) => entry.send.clientRef === stored.id)!;
    expect(sent.send.content?.kind).toBe("image");
    expect(sent.send.media).toMatchObject({ sha256, mimeType: "image/jpeg", size: photo.length });
    expect(sha(sent.bytes!)).toBe(sha(photo));
    const [delivery] = await pipeline.db
      .select()
      .from(simulatorDeliveries)
      .where(eq(simulatorDeliveries.clientRef, stored.id));
    expect(delivery?.body).toBe("Your receipt");
    // The file was used: retention counts from now.
    const [file] = await pipeline.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256));
    expect(Date.now() - file!.lastUsedAt.getTime()).toBeLessThan(60_000);
  });

  it("[agent] sends a voice note as voice and a PDF as a document with its name, without a caption", async () => {
    const pipeline = await mediaPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001002");
    const voice = oggOpus();
    const voiceSha = await storeFile(pipeline.db, pipeline.store, voice);
    const doc = pdf();
    const docSha = await storeFile(pipeline.db, pipeline.store, doc);

    const note = await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      attachment: { sha256: voiceSha, kind: "voice" },
    });
    const invoice = await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      body: "",
      attachment: { sha256: docSha, kind: "document", fileName: "invoice-42.pdf" },
    });
    const noteRow = await waitForMessage(pipeline.db, note.id, "sent");
    const invoiceRow = await waitForMessage(pipeline.db, invoice.id, "sent");
    expect(noteRow).toMatchObject({ type: "voice", body: "[Voice message]" });
    expect(noteRow.content).toMatchObject({
      kind: "voice",
      media: { storageKey: voiceSha, mimeType: "audio/ogg; codecs=opus" },
    });
    expect(noteRow.content).not.toHaveProperty("caption");
    expect(invoiceRow).toMatchObject({ type: "document", body: "[Document: invoice-42.pdf]" });
    const sentNote = pipeline.captured.find((entry) => entry.send.clientRef === note.id)!;
    const sentInvoice = pipeline.captured.find((entry) => entry.send.clientRef === invoice.id)!;
    expect(sentNote.send.content?.kind).toBe("voice");
    expect(sha(sentNote.bytes!)).toBe(voiceSha);
    expect(sentInvoice.send.media).toMatchObject({ fileName: "invoice-42.pdf", mimeType: "application/pdf" });
    expect(sha(sentInvoice.bytes!)).toBe(docSha);
  });

  it("refuses a kind the session's engine cannot send, naming it, and a file whose real type is not the kind", async () => {
    const pipeline = await mediaPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001003");
    const voiceSha = await storeFile(pipeline.db, pipeline.store, oggOpus());
    const docSha = await storeFile(pipeline.db, pipeline.store, pdf());
    // This engine, as published, sends no voice notes.
    await pipeline.db
      .update(waEngines)
      .set({ capabilities: sql`jsonb_set(${waEngines.capabilities}, '{media}', '["image","document"]')` })
      .where(eq(waEngines.kind, "simulator"));

    await expect(
      sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, attachment: { sha256: voiceSha, kind: "voice" } }),
    ).rejects.toThrow("This conversation's engine (Simulator) cannot send voice messages.");
    await expect(
      sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, attachment: { sha256: docSha, kind: "image" } }),
    ).rejects.toThrow("This file (application/pdf) cannot be sent as a photo.");
    await expect(
      sendAgentReply(pipeline.db, pipeline.boss, agent, {
        threadId,
        attachment: { sha256: "0".repeat(64), kind: "document" },
      }),
    ).rejects.toThrow("This file is not in the media store; upload it again.");
    // Nothing was queued by the refusals.
    const outbound = await pipeline.db.select().from(messages).where(eq(messages.threadId, threadId));
    expect(outbound.filter((row) => row.source === "agent")).toEqual([]);
  });

  it("fails a message whose file the store lost for good, with the reason, without retrying", async () => {
    const pipeline = await mediaPipeline();
    const { threadId, agent } = await conversation(pipeline, "+15550001004");
    const photo = await jpeg();
    const sha256 = await storeFile(pipeline.db, pipeline.store, photo);
    await pipeline.store.delete(sha256);

    const stored = await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      body: "lost",
      attachment: { sha256, kind: "image" },
    });
    const row = await waitForMessage(pipeline.db, stored.id, "failed");
    expect(row.error).toBe("The file is no longer in the media store");
    expect(pipeline.captured.filter((entry) => entry.send.clientRef === stored.id)).toEqual([]);
    // Its send job completed (not failed for a retry).
    const { rows } = await pipeline.db.execute<{ state: string }>(
      sql`select state::text from pgboss.job where data->>'messageId' = ${stored.id}`,
    );
    expect(rows.map((job) => job.state)).toEqual(["completed"]);
    // A text after it goes out.
    const next = await sendAgentReply(pipeline.db, pipeline.boss, agent, { threadId, body: "sorry" });
    await waitForMessage(pipeline.db, next.id, "sent");
  });

  it("a rule's reply carries a file of the media library, its text the caption; publishing refuses a deleted one", async () => {
    const pipeline = await mediaPipeline();
    const admin = await insertUser(pipeline.db, "admin");
    const menu = await jpeg();
    const sha256 = await storeFile(pipeline.db, pipeline.store, menu);
    const asset = await createMediaAsset(pipeline.db, admin, { sha256, name: "Menu", kind: "image" });
    await createRule(pipeline.db, null, {
      name: "Send the menu",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "menu" }] },
      actions: [{ type: "reply", text: "Here is our menu", mediaAssetId: asset.id }],
      stopOnMatch: true,
    });
    await publishDraft(pipeline.db, null, {});

    const ask = await inbound(pipeline, "+15550001005", "the menu please");
    const asked = await waitForProcessed(pipeline.db, ask);
    const reply = await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.replyToMessageId, asked.id));
        return row && row.status !== "queued" ? row : undefined;
      },
      20_000,
      "the rule's reply",
    );
    expect(reply).toMatchObject({ type: "image", body: "Here is our menu", source: "rule" });
    expect(reply.status).not.toBe("failed");
    expect(reply.content).toMatchObject({ kind: "image", caption: "Here is our menu", media: { storageKey: sha256 } });
    const sent = pipeline.captured.find((entry) => entry.send.clientRef === reply.id)!;
    expect(sha(sent.bytes!)).toBe(sha(menu));

    // A draft rule sending a file deleted from the library (no published rule sends it) cannot be published.
    const flyer = await createMediaAsset(pipeline.db, admin, { sha256, name: "Flyer", kind: "image" });
    await createRule(pipeline.db, null, {
      name: "Send the flyer",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "flyer" }] },
      actions: [{ type: "reply", text: "", mediaAssetId: flyer.id }],
    });
    await deleteMediaAsset(pipeline.db, admin, { id: flyer.id });
    await expect(publishDraft(pipeline.db, null, {})).rejects.toThrow(
      "The rule “Send the flyer” sends a file that was deleted from the media library",
    );
  });
});

describe("sending media through whatsapp-web.js (fake client, real pipeline)", () => {
  it("hands the library a MessageMedia with the file's base64 and the kind's options, and our sends are not taken for a person on the phone", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const store = createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-media-wwebjs-")));
    const pipeline = await startPipeline({
      engines: { wwebjs: await fakeWwebjsOptions(fake.factory) },
      mediaStore: store,
    });
    const admin = await insertUser(pipeline.db, "admin");
    const { id } = await createCaller(testContext({ db: pipeline.db, user: admin })).sessions.create({ name: "Shop" });
    const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
    await client.scan();
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, id));
        return row?.status === "ready" ? row : undefined;
      },
      15_000,
      "the session to be ready",
    );

    // A rule sends the library's menu photo: the bot's own media send keeps the thread the bot's.
    const menu = await jpeg();
    const menuSha = await storeFile(pipeline.db, store, menu);
    const asset = await createMediaAsset(pipeline.db, admin, { sha256: menuSha, name: "Menu", kind: "image" });
    await createRule(pipeline.db, null, {
      name: "Menu",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "menu" }] },
      actions: [{ type: "reply", text: "Our menu", mediaAssetId: asset.id }],
      stopOnMatch: true,
    });
    await publishDraft(pipeline.db, null, {});
    client.deliver("14155550123@c.us", "menu?");
    const photo = await waitFor(
      () => Promise.resolve(client.sentMedia.find((entry) => entry.chatId === "14155550123@c.us")),
      15_000,
      "the photo",
    );
    const { MessageMedia } = (await import("whatsapp-web.js")).default;
    expect(photo.content).toBeInstanceOf(MessageMedia);
    expect(photo.content).toMatchObject({
      mimetype: "image/jpeg",
      data: menu.toString("base64"),
      filesize: menu.length,
    });
    expect(photo.options).toEqual({ caption: "Our menu" });
    const [conversation] = await pipeline.db
      .select({ thread: threads })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(eq(contacts.waId, "+14155550123"), eq(contacts.sessionId, id)));
    const threadId = conversation!.thread.id;

    // An agent's voice note goes as voice, and a PDF as a document with its name.
    const voice = oggOpus();
    const voiceSha = await storeFile(pipeline.db, store, voice);
    const doc = pdf();
    const docSha = await storeFile(pipeline.db, store, doc);
    const agent = await insertUser(pipeline.db, "agent");
    await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      attachment: { sha256: voiceSha, kind: "voice" },
    });
    await sendAgentReply(pipeline.db, pipeline.boss, agent, {
      threadId,
      body: "Your invoice",
      attachment: { sha256: docSha, kind: "document", fileName: "invoice.pdf" },
    });
    await waitFor(() => Promise.resolve(client.sentMedia.length >= 3 || undefined), 15_000, "the agent's files");
    const [, note, invoice] = client.sentMedia;
    expect(note!.options).toEqual({ sendAudioAsVoice: true });
    expect(note!.content).toMatchObject({ mimetype: "audio/ogg; codecs=opus", data: voice.toString("base64") });
    expect(invoice!.options).toEqual({ caption: "Your invoice", sendMediaAsDocument: true });
    expect(invoice!.content).toMatchObject({ filename: "invoice.pdf", data: doc.toString("base64") });

    // Every file sent was recorded as sent by us; none as typed on the phone.
    await waitFor(
      async () => {
        const rows = await pipeline.db.select().from(messages).where(eq(messages.threadId, threadId));
        const ours = rows.filter((row) => row.direction === "out" && row.source !== "phone");
        return ours.length >= 3 && ours.every((row) => row.status !== "queued") ? rows : undefined;
      },
      15_000,
      "the sends recorded",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows = await pipeline.db.select().from(messages).where(eq(messages.threadId, threadId));
    expect(rows.filter((row) => row.source === "phone")).toEqual([]);
    const [after] = await pipeline.db.select().from(threads).where(eq(threads.id, threadId));
    expect(after!.assignedUserId).toBe(agent.id);
  });

  it("tells its own media and location sends from a person sending a photo on the phone (deterministic: the connection alone)", async () => {
    const database = await usePreparedDatabase();
    const [session] = await database.db
      .insert(waSessions)
      .values({ name: "Echo", kind: "wwebjs" })
      .returning({ id: waSessions.id });
    const store = createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-media-echo-")));
    const dataPath = await mkdtemp(path.join(tmpdir(), "switchboard-media-echo-data-"));
    const fake = createFakeWwebjs();
    const transport = createWwebjsConnection({
      sessionId: session!.id,
      log: createLogger("media-echo", "silent"),
      store: createPostgresAuthStore({
        db: database.db,
        sessionId: session!.id,
        appSecret: FAKE_WWEBJS_APP_SECRET,
        dataPath,
      }),
      createClient: fake.factory,
      dataPath,
      chromiumPath: "/usr/bin/chromium",
      webVersion: null,
      readyTimeoutMs: 30_000,
      memoryLimitMb: 2_048,
      minBackoffMs: 20,
      maxBackoffMs: 1_000,
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    const phone: TPhoneMessage[] = [];
    const ready = Promise.withResolvers<void>();
    await transport.start({
      onMessage: () => Promise.resolve(),
      onAck: () => Promise.resolve(),
      onStatus: (report) => {
        if (report.status === "ready") ready.resolve();
        return Promise.resolve();
      },
      onQr: () => Promise.resolve(),
      onConnectionState: () => Promise.resolve(),
      onPhoneMessage: (message) => {
        phone.push(message);
        return Promise.resolve();
      },
      onPairingCode: () => Promise.resolve(),
      onPresence: () => Promise.resolve(),
    });
    try {
      const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
      await client.scan();
      await ready.promise;
      const photo = await jpeg();
      const { sha256 } = await store.put(Readable.from([photo]), { maxBytes: 1_000_000 });
      const media = {
        sha256,
        mimeType: "image/jpeg",
        size: photo.length,
        open: async () => (await store.get(sha256))!.stream,
      };
      await transport.send({
        to: "+14155550123",
        body: "[Photo]",
        clientRef: "ref-photo",
        content: { kind: "image", media: { mimeType: "image/jpeg", storageKey: sha256, state: "stored" } },
        media,
      });
      await transport.send({
        to: "+14155550123",
        body: "[Sticker]",
        clientRef: "ref-sticker",
        content: { kind: "sticker", media: { mimeType: "image/webp", storageKey: sha256, state: "stored" } },
        media: { ...media, mimeType: "image/webp" },
      });
      await transport.send({
        to: "+14155550123",
        body: "[Location: Shop (1.5, 2.5)]",
        clientRef: "ref-place",
        content: { kind: "location", lat: 1.5, lng: 2.5, name: "Shop", address: "1 Main St" },
      });
      const { Location } = (await import("whatsapp-web.js")).default;
      expect(client.sentMedia.map((entry) => entry.options)).toEqual([{}, { sendMediaAsSticker: true }, {}]);
      const place = client.sentMedia[2]!.content;
      expect(place).toBeInstanceOf(Location);
      expect(place).toMatchObject({ latitude: 1.5, longitude: 2.5, name: "Shop", address: "1 Main St" });
      // A contact card is not among what this engine sends: refused, not sent as something else.
      await expect(
        transport.send({
          to: "+14155550123",
          body: "[Contact: Ana]",
          clientRef: "ref-card",
          content: { kind: "contacts", contacts: [{ name: "Ana", phones: ["+15550000000"] }] },
        }),
      ).rejects.toThrow("WhatsApp Web does not send contacts messages");
      // None of our sends was reported as typed on the phone; a photo a person sends from it is.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(phone).toEqual([]);
      client.emit(
        "message_create",
        client.message({
          from: "14155550100@c.us",
          to: "14155550123@c.us",
          body: "",
          fromMe: true,
          type: "image",
          hasMedia: true,
        }),
      );
      await waitFor(() => Promise.resolve(phone.length === 1 || undefined), 5_000, "the phone's photo");
    } finally {
      await transport.stop();
    }
  });
});
