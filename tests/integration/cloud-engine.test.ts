import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { messages, waSessions } from "~/db/schema";
import { sealCloudSecrets } from "~/server/cloud/config";
import { ingestInbound } from "~/server/messaging/ingest";
import { createCloudConnection } from "~/workers/engines/cloud/connection";
import { createFakeGraph, FAKE_GRAPH_DEFAULTS, type TFakeGraph } from "../support/fake-graph-server";
import { jpegBytes } from "../support/media-fixtures";
import { log, startPipeline, storedId, usePreparedDatabase, waitForProcessed } from "../support/pipeline";
import { freePort } from "../support/ports";
import { waitFor } from "../support/processes";

/** The worker's APP_SECRET in these tests: it seals the numbers' secrets. */
const APP_SECRET = "cloud-engine-test-app-secret-0123456789";

/** A Cloud API number's session row, as the Sessions page saves it. */
async function addCloudSession(
  db: TDb,
  overrides: { accessToken?: string; phoneNumberId?: string; configured?: boolean } = {},
) {
  const [row] = await db
    .insert(waSessions)
    .values({
      name: "Bakery (Cloud API)",
      kind: "cloud",
      engineConfig:
        overrides.configured === false
          ? {}
          : {
              phoneNumberId: overrides.phoneNumberId ?? FAKE_GRAPH_DEFAULTS.number.id,
              businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
              graphVersion: "v26.0",
            },
      engineSecrets: sealCloudSecrets(
        {
          accessToken: overrides.accessToken ?? FAKE_GRAPH_DEFAULTS.accessToken,
          appSecret: "0123456789abcdef0123456789abcdef",
          verifyToken: "verify-me-please",
        },
        APP_SECRET,
      ),
    })
    .returning({ id: waSessions.id });
  return row!.id;
}

function waitForStatus(db: TDb, sessionId: string, status: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const [row] = await db.select().from(waSessions).where(eq(waSessions.id, sessionId));
      return row?.status === status ? row : undefined;
    },
    timeoutMs,
    async () => {
      const [row] = await db.select().from(waSessions).where(eq(waSessions.id, sessionId));
      return `session to be ${status}; it is ${row?.status} (${row?.lastError ?? "no error"})`;
    },
  );
}

const cloudOptions = (baseUrl: string) => ({
  cloud: { appSecret: APP_SECRET, baseUrl, minBackoffMs: 200, maxBackoffMs: 1_000, timeoutMs: 3_000 },
});

let graph: TFakeGraph;
beforeAll(async () => {
  graph = await createFakeGraph();
});
afterAll(async () => {
  await graph.close();
});

describe("the Cloud API engine's connection in the worker", () => {
  it("checks the token with one call and is ready with the number", async () => {
    const pipeline = await startPipeline({ engines: cloudOptions(graph.url) });
    const sessionId = await addCloudSession(pipeline.db);
    const row = await waitForStatus(pipeline.db, sessionId, "ready");
    expect(row.phone).toBe("+14155550100");
    expect(row.lastError).toBeNull();
    const checks = graph.requests.filter((request) => request.path === `/v26.0/${FAKE_GRAPH_DEFAULTS.number.id}`);
    expect(checks[0]).toMatchObject({
      method: "GET",
      query: { fields: "display_phone_number,verified_name" },
      authorization: `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
    });
  });

  it("fails a refused token with the reason, keeps the worker running, and picks up a new token on restart", async () => {
    const pipeline = await startPipeline({ engines: cloudOptions(graph.url) });
    const sessionId = await addCloudSession(pipeline.db, { accessToken: "EAAWrongToken000000000000000000" });
    const failed = await waitForStatus(pipeline.db, sessionId, "failed");
    expect(failed.lastError).toMatch(/access token is invalid or expired/);
    expect(failed.lastError).toContain("code 190");
    // Checked again with backoff: the next try is planned and shown.
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId));
        return (row?.reconnectAttempt ?? 0) >= 2 && row?.nextRetryAt ? row : undefined;
      },
      10_000,
      "a second planned retry",
    );
    // The worker keeps working: the simulator's messages are still processed.
    const other = await ingestInbound(pipeline.db, pipeline.boss, {
      sessionId: pipeline.sessionId,
      waMessageId: "still-running-1",
      from: "+15550009999",
      type: "text",
      body: "hello",
    });
    await waitForProcessed(pipeline.db, other);
    // A new token saved on the Sessions page, and a restart: ready at once.
    await pipeline.db
      .update(waSessions)
      .set({
        engineSecrets: sealCloudSecrets(
          {
            accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
            appSecret: "0123456789abcdef0123456789abcdef",
            verifyToken: "verify-me-please",
          },
          APP_SECRET,
        ),
        restartRequestedAt: new Date(),
      })
      .where(eq(waSessions.id, sessionId));
    const ready = await waitForStatus(pipeline.db, sessionId, "ready");
    expect(ready.phone).toBe("+14155550100");
    expect(ready.lastError).toBeNull();
  });

  it("says when Meta is unreachable, or the phone number id is unknown, or the number is not set up", async () => {
    const closed = await freePort();
    const offline = await startPipeline({ engines: cloudOptions(`http://127.0.0.1:${closed}`) });
    const unreachable = await addCloudSession(offline.db);
    const down = await waitForStatus(offline.db, unreachable, "failed");
    expect(down.lastError).toMatch(/^Meta's Graph API is unreachable from this worker \(ECONNREFUSED\)/);

    const online = await startPipeline({ engines: cloudOptions(graph.url) });
    const unknown = await addCloudSession(online.db, { phoneNumberId: "999999999999" });
    const notSetUp = await addCloudSession(online.db, { configured: false });
    expect((await waitForStatus(online.db, unknown, "failed")).lastError).toMatch(
      /^Meta does not know the phone number ID 999999999999/,
    );
    expect((await waitForStatus(online.db, notSetUp, "failed")).lastError).toMatch(
      /^Not set up yet: The Cloud API settings of this number are not complete/,
    );
  });
});

describe("downloading a contact's file through the Graph media endpoints", () => {
  it("returns the bytes of a media id Meta has, with its type and size, and null for one it does not", async () => {
    const { db } = await usePreparedDatabase();
    const sessionId = await addCloudSession(db);
    const connection = createCloudConnection(
      { db, log, sessionId },
      { appSecret: APP_SECRET, baseUrl: graph.url, minBackoffMs: 200, maxBackoffMs: 1_000 },
    );
    const photo = await jpegBytes(32, 24);
    const id = graph.addMedia(photo, "image/jpeg");
    const signal = AbortSignal.timeout(10_000);
    const content = (engineRef: string) => ({
      kind: "image" as const,
      media: { mimeType: "image/jpeg", engineRef, state: "pending" as const },
    });
    const download = await connection.downloadMedia!({ waMessageId: "wamid.IN1", content: content(id) }, signal);
    expect(download).toMatchObject({ mimeType: "image/jpeg", size: photo.length });
    const bytes = Buffer.concat(await download!.stream.toArray());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(createHash("sha256").update(photo).digest("hex"));
    // The file itself was fetched with the bearer token, from the URL Meta handed out.
    expect(graph.requests.find((request) => request.path === `/__media/${id}`)?.authorization).toBe(
      `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
    );
    expect(
      await connection.downloadMedia!({ waMessageId: "wamid.IN2", content: content("123456789") }, signal),
    ).toBeNull();
    // A failure that is not "gone" rejects, so the media job tries again.
    graph.failNext({ status: 500, code: 131000, title: "Something went wrong" });
    await expect(connection.downloadMedia!({ waMessageId: "wamid.IN1", content: content(id) }, signal)).rejects.toThrow(
      /Something went wrong/,
    );
    await connection.stop();
  });

  it("stores a contact's photo pending on Meta's media id through the session's media queue", async () => {
    const pipeline = await startPipeline({ engines: cloudOptions(graph.url) });
    const sessionId = await addCloudSession(pipeline.db);
    await waitForStatus(pipeline.db, sessionId, "ready");
    const photo = await jpegBytes(40, 30);
    const mediaId = graph.addMedia(photo, "image/jpeg");
    const result = await ingestInbound(pipeline.db, pipeline.boss, {
      sessionId,
      waMessageId: "wamid.PHOTO1",
      from: "+15550001234",
      type: "image",
      content: {
        kind: "image",
        caption: "my cake",
        media: { mimeType: "image/jpeg", state: "pending", engineRef: mediaId },
      },
    });
    const id = storedId(result);
    const row = await waitFor(
      async () => {
        const [message] = await pipeline.db.select().from(messages).where(eq(messages.id, id));
        const media = (message?.content as { media?: { state?: string } } | null)?.media;
        return media?.state === "stored" ? message : undefined;
      },
      20_000,
      "the photo to be stored",
    );
    expect(row.content).toMatchObject({
      kind: "image",
      media: { storageKey: createHash("sha256").update(photo).digest("hex"), mimeType: "image/jpeg", state: "stored" },
    });
  });
});
