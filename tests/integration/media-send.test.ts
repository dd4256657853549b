import { createHash } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { mediaObjects, messages, simulatorDeliveries, waEngines } from "~/db/schema";
import type { TMediaCategory } from "~/db/schema/media";
import { sendAgentReply } from "~/server/inbox/compose";
import { createMediaAsset, deleteMediaAsset } from "~/server/media/library";
import { createFsMediaStore } from "~/server/media/store-fs";
import type { TMediaStore } from "~/server/media/store";
import type { TOutboundSend } from "~/server/messaging/outbound";
import { createRule, publishDraft } from "~/server/rules/rules";
import type { TEngineConnection } from "~/workers/engines/types";
import { insertUser } from "../support/database";
import { inbound, startPipeline, waitForProcessed, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";

/** Real bytes of each kind, made here: a JPEG by sharp, an Ogg/Opus page header, a PDF. */
async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .toBuffer();
}
function oggOpus(): Buffer {
  // An Ogg page (capture pattern, version, BOS flag…) whose packet is the OpusHead header.
  const head = Buffer.concat([Buffer.from("OpusHead"), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const page = Buffer.concat([
    Buffer.from("OggS"),
    Buffer.from([0, 2]),
    Buffer.alloc(8),
    Buffer.from([1, 0, 0, 0]),
    Buffer.alloc(4),
    Buffer.alloc(4),
    Buffer.from([1, head.length]),
    head,
  ]);
  return Buffer.concat([page, Buffer.alloc(2_000, 7)]);
}
function pdf(): Buffer {
  return Buffer.from(
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
}

/** A file in the store and in `media_objects`, as intake leaves it (its real type given here). */
async function storeFile(db: TDb, store: TMediaStore, bytes: Buffer, mimeType: string, category: TMediaCategory) {
  const { sha256, size } = await store.put(Readable.from([bytes]), { maxBytes: 10_000_000 });
  await db.insert(mediaObjects).values({ sha256, size, mimeType, category }).onConflictDoNothing();
  return sha256;
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
    const sha256 = await storeFile(pipeline.db, pipeline.store, photo, "image/jpeg", "image");

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
    const voiceSha = await storeFile(pipeline.db, pipeline.store, voice, "audio/ogg", "audio");
    const doc = pdf();
    const docSha = await storeFile(pipeline.db, pipeline.store, doc, "application/pdf", "document");

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
    expect(noteRow.content).toMatchObject({ kind: "voice", media: { storageKey: voiceSha, mimeType: "audio/ogg" } });
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
    const voiceSha = await storeFile(pipeline.db, pipeline.store, oggOpus(), "audio/ogg", "audio");
    const docSha = await storeFile(pipeline.db, pipeline.store, pdf(), "application/pdf", "document");
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
    const sha256 = await storeFile(pipeline.db, pipeline.store, photo, "image/jpeg", "image");
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
    const sha256 = await storeFile(pipeline.db, pipeline.store, menu, "image/jpeg", "image");
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
