import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { events, mediaObjects, messages, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { intakeMedia } from "~/server/media/intake";
import { mediaLimitsFromEnv } from "~/server/media/limits";
import { recordMediaOutcome } from "~/server/media/message-media";
import type { TMediaStore } from "~/server/media/store";
import { ZMessageContent, type TMessageContent } from "~/server/messages/content";
import { sendAsContact } from "~/server/simulator/simulator";
import type { TWwebjsEngineOptions } from "~/workers/engines/wwebjs/config";
import { RAW_PAYLOADS } from "~/workers/engines/wwebjs/payloads.fixture";
import { JOB_HANDLERS } from "~/workers/handlers/registry";
import { startWorker } from "~/workers/runtime";
import { insertUser } from "../support/database";
import { createFakeWwebjs, fakeWwebjsOptions, type FakeWwebjsClient } from "../support/fake-wwebjs";
import { startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { jpegBytes, mp4Bytes, oggOpusBytes, pdfBytes } from "../support/media-fixtures";
import { mediaStoreVariants, type TMediaStoreVariant } from "../support/media-stores";
import { testContext } from "../support/trpc-context";

const CONTACT = "14155550123@c.us";
const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** Images may be 64 KB here (the environment's MEDIA_MAX_IMAGE_MB, lowered), to test the limit without a large fixture. */
const LIMITS = mediaLimitsFromEnv({
  MEDIA_MAX_IMAGE_MB: 64 / 1024,
  MEDIA_MAX_AUDIO_MB: 16,
  MEDIA_MAX_VIDEO_MB: 16,
  MEDIA_MAX_DOCUMENT_MB: 100,
});
/** Retried at once, three tries in all: a download that fails twice then works is stored on the last. */
const MEDIA_POLICY = { retryLimit: 2, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 };

let sequence = 0;
/** A raw WhatsApp Web message model of a media type from the contact (a fresh id each time). */
function rawMedia(type: string, fields: Record<string, unknown>) {
  sequence += 1;
  const id = `3EB0MEDIA${String(sequence).padStart(11, "0")}`;
  return {
    ...RAW_PAYLOADS.image,
    id: { fromMe: false, remote: CONTACT, id, _serialized: `false_${CONTACT}_${id}` },
    type,
    // Sent now (the fixtures' time is long past: a reply's response time would not fit its column).
    t: Math.floor(Date.now() / 1000),
    body: "",
    caption: undefined,
    width: undefined,
    height: undefined,
    ...fields,
  };
}

type TSetup = {
  pipeline: TPipeline;
  client: FakeWwebjsClient;
  sessionId: string;
  crashAfterIntake: Set<string>;
  fake: ReturnType<typeof createFakeWwebjs>;
  wwebjs: TWwebjsEngineOptions;
};

/** A fresh, empty store of the variant, stopped when the test ends. */
async function freshStore(variant: TMediaStoreVariant) {
  const started = await variant.start();
  onTestFinished(() => started.stop());
  return started.store;
}

/** A pipeline with a linked whatsapp-web.js session (fake client), the lowered limits and a short retry policy. */
async function linkedSession(mediaStore: TMediaStore): Promise<TSetup> {
  const fake = createFakeWwebjs({ phone: "14155550100" });
  const wwebjs = await fakeWwebjsOptions(fake.factory);
  const crashAfterIntake = new Set<string>();
  const pipeline = await startPipeline(
    {
      engines: { wwebjs },
      mediaPolicy: MEDIA_POLICY,
      // The deterministic crash: the file is in the store (and media_objects), its outcome not yet recorded.
      mediaHooks: {
        afterIntake: (file) => {
          if (crashAfterIntake.delete(file.sha256)) return Promise.reject(new Error("crashed after intake"));
          return Promise.resolve();
        },
      },
    },
    { mediaStore, mediaLimits: LIMITS },
  );
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  const { id: sessionId } = await admin.sessions.create({ name: "Front desk" });
  const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
  const status = async () =>
    (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status;
  await waitFor(async () => ((await status()) === "qr" ? true : undefined), 15_000, "the QR");
  await client.scan();
  await waitFor(async () => ((await status()) === "ready" ? true : undefined), 15_000, "ready");
  return { pipeline, client, sessionId, crashAfterIntake, fake, wwebjs };
}

/** The inbound row of a WhatsApp message once `message.process` has run for it. */
function processed(pipeline: TPipeline, waMessageId: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const [row] = await pipeline.db.select().from(messages).where(eq(messages.waMessageId, waMessageId));
      return row?.processedAt ? { ...row, content: ZMessageContent.parse(row.content) } : undefined;
    },
    timeoutMs,
    async () => {
      const [row] = await pipeline.db.select().from(messages).where(eq(messages.waMessageId, waMessageId));
      const jobs = await pipeline.db.execute<{ name: string; state: string; output: unknown }>(
        sql`select name, state::text, output from pgboss.job where data->>'messageId' = ${row?.id ?? ""}`,
      );
      return `${waMessageId} processed (now ${JSON.stringify(row?.content ?? null)}; jobs ${JSON.stringify(jobs.rows)})`;
    },
  );
}

/** How many `message.process` jobs were ever queued for a message (pg-boss keeps completed ones). */
async function processJobs(pipeline: TPipeline, messageId: string) {
  const { rows } = await pipeline.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = 'message.process' and data->>'messageId' = ${messageId}`,
  );
  return rows[0]!.n;
}

async function mediaEvents(pipeline: TPipeline, messageId: string) {
  return pipeline.db
    .select({ type: events.type, payload: events.payload })
    .from(events)
    .where(and(eq(events.messageId, messageId), sql`${events.type} like 'media.%'`));
}

const mediaOfRow = (content: TMessageContent) => ("media" in content ? content.media : undefined);

describe.each(mediaStoreVariants())(
  "receiving media into the $name store (fake whatsapp-web.js client with real bytes, the real runner)",
  (variant) => {
    it("stores a JPEG, an OGG/Opus voice note, an MP4 and a PDF by their real type, processes each once, and a location as it is", async () => {
      const { pipeline, client } = await linkedSession(await freshStore(variant));
      const file = (bytes: Buffer, type: string, mimetype: string, extra: Record<string, unknown> = {}) => ({
        bytes,
        mimetype,
        raw: rawMedia(type, { mimetype, ...extra }),
      });
      const files = {
        image: file(await jpegBytes(64, 48), "image", "image/jpeg", { caption: "the receipt" }),
        voice: file(oggOpusBytes(3), "ptt", "audio/ogg; codecs=opus", { duration: 3 }),
        video: file(mp4Bytes(3_000), "video", "video/mp4", { duration: 2 }),
        document: file(pdfBytes("Invoice 14"), "document", "application/pdf", { filename: "invoice-14.pdf" }),
      };
      for (const { bytes, raw, mimetype } of Object.values(files)) {
        const filename = mimetype === "application/pdf" ? "invoice-14.pdf" : undefined;
        client.deliverMedia(raw, { bytes, mimetype, ...(filename ? { filename } : {}) });
      }
      const location = client.deliverRaw({ ...RAW_PAYLOADS.location, t: Math.floor(Date.now() / 1000) });

      const expected = {
        image: { mimeType: "image/jpeg", body: "the receipt" },
        voice: { mimeType: "audio/ogg", body: "[Voice message]" },
        video: { mimeType: "video/mp4", body: "[Video]" },
        document: { mimeType: "application/pdf", body: "[Document: invoice-14.pdf]" },
      };
      for (const [kind, { bytes, raw }] of Object.entries(files)) {
        const row = await processed(pipeline, raw.id._serialized);
        const media = mediaOfRow(row.content)!;
        const sha256 = sha256Of(bytes);
        const want = expected[kind as keyof typeof expected];
        expect(row.content.kind, kind).toBe(kind);
        expect(media, kind).toMatchObject({ state: "stored", storageKey: sha256, size: bytes.length });
        expect(media.mimeType, kind).toMatch(new RegExp(`^${want.mimeType}`));
        expect(media.error, kind).toBeUndefined();
        expect(row.body, kind).toBe(want.body);
        expect(row.media, kind).toMatchObject({ size: bytes.length });
        // The store has the very bytes, and media_objects says what they are.
        const stored = await pipeline.mediaStore.get(sha256);
        expect(stored, kind).not.toBeNull();
        const chunks: Buffer[] = [];
        for await (const chunk of stored!.stream) chunks.push(chunk as Buffer);
        expect(sha256Of(Buffer.concat(chunks)), kind).toBe(sha256);
        const [object] = await pipeline.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256));
        expect(object, kind).toMatchObject({ size: bytes.length });
        expect(object!.mimeType, kind).toMatch(new RegExp(`^${want.mimeType}`));
        expect(await processJobs(pipeline, row.id), kind).toBe(1);
        expect(
          (await mediaEvents(pipeline, row.id)).map((event) => event.type),
          kind,
        ).toEqual(["media.stored"]);
      }
      // The photo has its server-made thumbnail (in the store too) and its size in pixels.
      const photo = await processed(pipeline, files.image.raw.id._serialized);
      expect(mediaOfRow(photo.content)).toMatchObject({ width: 64, height: 48, thumbKey: expect.any(String) });
      expect(await pipeline.mediaStore.has(mediaOfRow(photo.content)!.thumbKey!)).toBe(true);
      // The voice note kept what WhatsApp said about it beside what the store found.
      const voice = await processed(pipeline, files.voice.raw.id._serialized);
      expect(mediaOfRow(voice.content)).toMatchObject({ durationS: 3 });
      const document = await processed(pipeline, files.document.raw.id._serialized);
      expect(mediaOfRow(document.content)).toMatchObject({ fileName: "invoice-14.pdf" });
      // Each file was downloaded once.
      expect(client.downloads.toSorted()).toEqual(
        Object.values(files)
          .map(({ raw }) => raw.id._serialized)
          .toSorted(),
      );

      const place = await processed(pipeline, location.id._serialized);
      expect(place.content).toMatchObject({ kind: "location", lat: 38.7223, lng: -9.1393 });
      expect(await processJobs(pipeline, place.id)).toBe(1);
    });

    it("catches a file lying about its type, refuses one over the kind's limit, and processes both anyway", async () => {
      const { pipeline, client } = await linkedSession(await freshStore(variant));
      // A PDF renamed photo.jpg, sent as a photo and claimed as image/jpeg.
      const lying = rawMedia("image", { mimetype: "image/jpeg", filename: "photo.jpg", caption: "my photo" });
      client.deliverMedia(lying, { bytes: pdfBytes("Invoice 21"), mimetype: "image/jpeg", filename: "photo.jpg" });
      // A real JPEG, larger than the 64 KB this deployment allows images.
      const big = await jpegBytes(1_600, 1_200);
      expect(big.length).toBeGreaterThan(LIMITS.image);
      const oversize = rawMedia("image", { mimetype: "image/jpeg" });
      client.deliverMedia(oversize, { bytes: big, mimetype: "image/jpeg" });

      const refused = await processed(pipeline, lying.id._serialized);
      expect(mediaOfRow(refused.content)).toMatchObject({
        state: "failed",
        error: "type_mismatch",
        mimeType: "image/jpeg",
      });
      expect(mediaOfRow(refused.content)?.errorDetail).toMatch(/pdf/i);
      expect(mediaOfRow(refused.content)?.storageKey).toBeUndefined();
      expect(refused.body).toBe("my photo");
      expect(await pipeline.mediaStore.has(sha256Of(pdfBytes("Invoice 21")))).toBe(false);
      expect(await pipeline.db.$count(mediaObjects, eq(mediaObjects.sha256, sha256Of(pdfBytes("Invoice 21"))))).toBe(0);
      expect(await mediaEvents(pipeline, refused.id)).toEqual([
        { type: "media.failed", payload: expect.objectContaining({ kind: "image", error: "type_mismatch" }) },
      ]);
      expect(await processJobs(pipeline, refused.id)).toBe(1);

      const tooLarge = await processed(pipeline, oversize.id._serialized);
      expect(mediaOfRow(tooLarge.content)).toMatchObject({ state: "failed", error: "too_large" });
      expect(await pipeline.mediaStore.has(sha256Of(big))).toBe(false);
      expect(await processJobs(pipeline, tooLarge.id)).toBe(1);
      // Refused for good at once: one download each, no retries.
      expect(client.downloads.filter((id) => id === lying.id._serialized)).toHaveLength(1);
      expect(client.downloads.filter((id) => id === oversize.id._serialized)).toHaveLength(1);
    });

    it("retries a failing download until it works, and records one that fails for good or is gone, then processes it", async () => {
      const { pipeline, client } = await linkedSession(await freshStore(variant));
      const flaky = rawMedia("image", { mimetype: "image/jpeg" });
      const flakyBytes = await jpegBytes(72, 48);
      client.deliverMedia(flaky, { bytes: flakyBytes, mimetype: "image/jpeg", failTimes: 2 });
      const broken = rawMedia("document", { mimetype: "application/pdf", filename: "lost.pdf" });
      client.deliverMedia(broken, { bytes: pdfBytes("Invoice 32"), mimetype: "application/pdf", failForever: true });
      const expired = rawMedia("video", { mimetype: "video/mp4" });
      client.deliverMedia(expired, { bytes: mp4Bytes(3_300), mimetype: "video/mp4", gone: true });

      const stored = await processed(pipeline, flaky.id._serialized);
      expect(mediaOfRow(stored.content)).toMatchObject({ state: "stored", storageKey: sha256Of(flakyBytes) });
      expect(client.downloads.filter((id) => id === flaky.id._serialized)).toHaveLength(3);
      expect(await processJobs(pipeline, stored.id)).toBe(1);

      const failed = await processed(pipeline, broken.id._serialized);
      expect(mediaOfRow(failed.content)).toMatchObject({
        state: "failed",
        error: "download_failed",
        fileName: "lost.pdf",
      });
      expect(mediaOfRow(failed.content)?.errorDetail).toMatch(/Download failed: 500/);
      expect(failed.body).toBe("[Document: lost.pdf]");
      expect(client.downloads.filter((id) => id === broken.id._serialized)).toHaveLength(1 + MEDIA_POLICY.retryLimit);
      expect(await processJobs(pipeline, failed.id)).toBe(1);
      expect((await mediaEvents(pipeline, failed.id)).map((event) => event.payload)).toEqual([
        expect.objectContaining({ error: "download_failed" }),
      ]);

      const gone = await processed(pipeline, expired.id._serialized);
      expect(mediaOfRow(gone.content)).toMatchObject({ state: "failed", error: "unavailable" });
      expect(client.downloads.filter((id) => id === expired.id._serialized)).toHaveLength(1);
      expect(await processJobs(pipeline, gone.id)).toBe(1);
    });

    it("records a file once when the worker crashed between storing it and recording it", async () => {
      const { pipeline, client, crashAfterIntake } = await linkedSession(await freshStore(variant));
      const bytes = pdfBytes("Invoice 41");
      crashAfterIntake.add(sha256Of(bytes));
      const raw = rawMedia("document", { mimetype: "application/pdf", filename: "twice.pdf" });
      client.deliverMedia(raw, { bytes, mimetype: "application/pdf", filename: "twice.pdf" });

      const row = await processed(pipeline, raw.id._serialized);
      expect(crashAfterIntake.size).toBe(0); // the crash happened
      expect(client.downloads.filter((id) => id === raw.id._serialized)).toHaveLength(2);
      expect(mediaOfRow(row.content)).toMatchObject({ state: "stored", storageKey: sha256Of(bytes) });
      expect(await pipeline.db.$count(mediaObjects, eq(mediaObjects.sha256, sha256Of(bytes)))).toBe(1);
      expect((await mediaEvents(pipeline, row.id)).map((event) => event.type)).toEqual(["media.stored"]);
      expect(await processJobs(pipeline, row.id)).toBe(1);
      // Recording it again (a retry racing the first) is refused: the message is no longer pending.
      expect(
        await recordMediaOutcome(pipeline.db, pipeline.boss, row.id, {
          state: "failed",
          error: "download_failed",
          detail: "a late retry",
        }),
      ).toBe("already_recorded");
      // A late duplicate of the media job (a retry after the outcome) changes and queues nothing.
      await pipeline.boss.send(`media.${row.sessionId}`, { messageId: row.id });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await processJobs(pipeline, row.id)).toBe(1);
      expect((await mediaEvents(pipeline, row.id)).map((event) => event.type)).toEqual(["media.stored"]);
    });

    it("fetches the file through a restarted worker, whose new client reads the message again from WhatsApp", async () => {
      const mediaStore = await freshStore(variant);
      const { pipeline, client, fake, wwebjs } = await linkedSession(mediaStore);
      const bytes = await jpegBytes(88, 66);
      const raw = rawMedia("image", { mimetype: "image/jpeg" });
      client.deliverMedia(raw, { bytes, mimetype: "image/jpeg", failTimes: 1 });
      await waitFor(() => Promise.resolve(client.downloads.length > 0 || undefined), 10_000, "the first try");
      await pipeline.worker.stop(5_000);

      // The stack restarts: a new worker, a new client of the same phone (the session restored, no QR).
      const restarted = createFakeWwebjs({ phone: "14155550100", history: fake.history });
      const boss = createBoss(pipeline.url, "worker");
      await boss.start();
      const worker = await startWorker({
        db: pipeline.db,
        boss,
        log: createLogger("restarted", "silent"),
        version: "test",
        heartbeatIntervalMs: 1_000,
        handlers: JOB_HANDLERS,
        mediaStore,
        mediaLimits: LIMITS,
        sessions: {
          databaseUrl: pipeline.url,
          leaseTtlS: 5,
          sendConcurrency: 4,
          engines: { wwebjs: { ...wwebjs, createClient: restarted.factory } },
          mediaPolicy: MEDIA_POLICY,
        },
      });
      onTestFinished(() => worker.stop(5_000).then(() => undefined));

      const row = await processed(pipeline, raw.id._serialized);
      expect(mediaOfRow(row.content)).toMatchObject({ state: "stored", storageKey: sha256Of(bytes) });
      const second = restarted.latest()!;
      expect(second.restored).toBe(true);
      expect(second.lookups).toEqual([raw.id._serialized]);
      expect(second.downloads).toEqual([raw.id._serialized]);
      expect(await processJobs(pipeline, row.id)).toBe(1);
    });

    it("[simulator] a photo the Simulator uploaded arrives pending and takes the same receive path", async () => {
      const pipeline = await startPipeline({}, { mediaStore: await freshStore(variant) });
      const bytes = await jpegBytes(80, 60);
      // What the upload route does first: the file through intake into the store.
      const uploaded = await intakeMedia(pipeline.db, pipeline.mediaStore, Readable.from([bytes]), { kind: "image" });
      const { waMessageId } = await sendAsContact(pipeline.db, pipeline.boss, {
        phone: "+14155550177",
        content: {
          kind: "image",
          caption: "from the simulator",
          media: { mimeType: "image/jpeg", storageKey: uploaded.sha256, size: bytes.length, state: "pending" },
        },
      });
      const row = await processed(pipeline, waMessageId);
      expect(mediaOfRow(row.content)).toMatchObject({
        state: "stored",
        storageKey: sha256Of(bytes),
        mimeType: "image/jpeg",
      });
      expect((await mediaEvents(pipeline, row.id)).map((event) => event.type)).toEqual(["media.stored"]);
      expect(await processJobs(pipeline, row.id)).toBe(1);

      // A file the store does not have: unavailable, and processed.
      const missing = await sendAsContact(pipeline.db, pipeline.boss, {
        phone: "+14155550177",
        content: {
          kind: "voice",
          media: { mimeType: "audio/ogg", storageKey: "0".repeat(64), state: "pending" },
        },
      });
      const lost = await processed(pipeline, missing.waMessageId);
      expect(mediaOfRow(lost.content)).toMatchObject({ state: "failed", error: "unavailable" });
    });
  },
);
