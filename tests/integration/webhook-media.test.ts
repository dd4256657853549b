import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { intakeMedia, mediaRefOf } from "~/server/media/intake";
import { serveMedia } from "~/server/media/serve";
import { createFsMediaStore } from "~/server/media/store-fs";
import type { TMediaStore } from "~/server/media/store";
import { signedMediaLinks } from "~/server/media/urls";
import { ingestInbound } from "~/server/messaging/ingest";
import type { TMediaRef } from "~/server/messages/content";
import { defaultWebhookConfig, type TWebhookConfig } from "~/server/webhooks/deliver";
import { ZWebhookPayload } from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { jpegBytes } from "../support/media-fixtures";
import { startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";
import { startWebhookReceiver } from "../support/webhook-receiver";

const APP_SECRET = "m".repeat(40);
const MEDIA_SECRET = "webhook-media-test-secret-0123456789";
const ORIGIN = "https://switchboard.example.com";
const TTL_S = 900;

let storeDir: string;
let store: TMediaStore;
/** The database the running test's links are served from. */
let currentDb: TPipeline["db"] | undefined;

beforeAll(async () => {
  storeDir = await mkdtemp(path.join(tmpdir(), "webhook-media-"));
  store = createFsMediaStore(storeDir);
});

afterAll(async () => {
  await rm(storeDir, { recursive: true, force: true });
});

function config(mediaLinks: TWebhookConfig["mediaLinks"]): TWebhookConfig {
  return defaultWebhookConfig(APP_SECRET, {
    allowPrivate: true,
    timeoutMs: 2_000,
    // The first attempt and a retry 1.5 s later.
    scheduleS: [0, 1.5, 1.5],
    mediaLinks,
  });
}

/** The clock links are signed by: moved on an hour after each attempt, so each attempt's links differ. */
let clock = Date.now();
const linker: TWebhookConfig["mediaLinks"] = (media: TMediaRef) => {
  const links = signedMediaLinks(media, { secret: MEDIA_SECRET, ttlS: TTL_S, origin: ORIGIN, now: new Date(clock) });
  clock += 3_600_000;
  return links;
};

/** A photo from a contact, stored as the worker stores inbound media, then ingested. */
async function photoFrom(pipeline: TPipeline, from: string) {
  const bytes = await jpegBytes(120, 80);
  const stored = await intakeMedia(pipeline.db, store, Readable.from([bytes]), { kind: "image" });
  await ingestInbound(pipeline.db, pipeline.boss, {
    sessionId: pipeline.sessionId,
    waMessageId: `in-${randomUUID()}`,
    from,
    pushName: "Ana",
    type: "image",
    body: "",
    content: { kind: "image", caption: "Is this one in stock?", media: mediaRefOf(stored) },
  });
  return bytes;
}

/** Opens a signed link through GET /api/media/<sha256>'s handler (serveMedia): the bytes, or why it refused. */
async function download(link: string, now?: Date): Promise<Buffer | string> {
  const url = new URL(link);
  const response = await serveMedia(new Request(url), url.pathname.split("/").pop()!, {
    db: currentDb!,
    store,
    secret: MEDIA_SECRET,
    ...(now ? { now: () => now } : {}),
  });
  if (!response.ok) return ((await response.json()) as { error: { code: string } }).error.code;
  return Buffer.from(await response.arrayBuffer());
}

type TDelivered = { data: { message?: { content: { kind: string; media?: Record<string, unknown> } } } };

async function receivedPhotos(pipeline: TPipeline, failFirst: boolean) {
  const receiver = await startWebhookReceiver((_request, index) => ({ status: failFirst && index === 0 ? 503 : 200 }));
  const admin = createCaller(
    testContext({
      db: pipeline.db,
      user: await insertUser(pipeline.db, "admin"),
      boss: pipeline.boss,
      webhooks: { appSecret: APP_SECRET, allowPrivate: true, rotationOverlapHours: 24 },
    }),
  );
  const { endpoint } = await admin.webhooks.create({ url: receiver.url, events: ["message.received"] });
  const bytes = await photoFrom(pipeline, "+14155550180");
  await waitFor(
    async () => {
      const rows = await pipeline.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, endpoint.id));
      return rows.some((row) => row.status === "delivered") ? rows : undefined;
    },
    15_000,
    "the photo's delivery",
  );
  const photos = receiver.received
    .map((request) => JSON.parse(request.body) as TDelivered)
    .filter((body) => body.data.message?.content.kind === "image");
  await receiver.close();
  return { bytes, photos };
}

describe("webhooks: media", () => {
  it("[webhook] a delivered photo carries signed links that download it; a retry carries fresh ones", async () => {
    const pipeline: TPipeline = await startPipeline({}, { webhooks: config(linker), mediaStore: store });
    currentDb = pipeline.db;
    const { bytes, photos } = await receivedPhotos(pipeline, true);
    expect(photos.length).toBe(2);
    for (const photo of photos) expect(ZWebhookPayload.safeParse(photo).error?.issues).toBeUndefined();
    const [first, retry] = photos.map((photo) => photo.data.message!.content.media!);
    expect(first!.url).toMatch(new RegExp(`^${ORIGIN}/api/media/[0-9a-f]{64}\\?`));
    expect(first!.linkUnavailable).toBeNull();
    expect(await download(retry!.url as string)).toEqual(bytes);
    expect(await download(retry!.downloadUrl as string)).toEqual(bytes);
    expect(Buffer.isBuffer(await download(retry!.thumbUrl as string))).toBe(true);
    // Made at each attempt (the signing clock moves an hour per attempt here), not once per event:
    // when the first attempt's links have expired, the retry's still work.
    const firstExpiry = new Date(first!.expiresAt as string).getTime();
    expect(new Date(retry!.expiresAt as string).getTime() - firstExpiry).toBeGreaterThanOrEqual(3_000_000);
    expect(await download(first!.url as string, new Date(firstExpiry + 1_000))).toBe("expired");
    expect(await download(retry!.url as string, new Date(firstExpiry + 1_000))).toEqual(bytes);
  });

  it("[webhook] without a public address, the payload says so instead of giving a relative link", async () => {
    const pipeline: TPipeline = await startPipeline({}, { webhooks: config(null), mediaStore: store });
    const { photos } = await receivedPhotos(pipeline, false);
    expect(photos.length).toBe(1);
    expect(ZWebhookPayload.safeParse(photos[0]).error?.issues).toBeUndefined();
    expect(photos[0]!.data.message!.content.media).toMatchObject({
      url: null,
      thumbUrl: null,
      downloadUrl: null,
      expiresAt: null,
      linkUnavailable: "no_public_url",
      state: "stored",
    });
  });
});
