import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { asc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowledgePassages, knowledgeSources, mediaObjects } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TGeminiConfig } from "~/server/ai/models";
import { createBoss } from "~/server/jobs/boss";
import { QUEUES } from "~/server/jobs/queues";
import { EMBEDDING_MODEL } from "~/server/knowledge/embed";
import { createLogger } from "~/server/logger";
import { intakeMedia } from "~/server/media/intake";
import { pruneMedia } from "~/server/media/retention";
import type { TMediaStore } from "~/server/media/store";
import { createFsMediaStore } from "~/server/media/store-fs";
import { handleKnowledgeIndex, handleKnowledgeRefresh } from "~/workers/handlers/knowledge";
import type { TJobContext } from "~/workers/runtime";
import { insertUser } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import { pdfBytes } from "../support/pdf-fixtures";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

/**
 * The knowledge base end to end below the page: sources added through the tRPC router (which
 * queues `knowledge.index` in pg-boss), the queued jobs worked by the real handler as a worker
 * would, passages read back from Postgres.
 */

const log = createLogger("test", "silent");
let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let store: TMediaStore;
let storeDir: string;
let caller: ReturnType<typeof createCaller>;
let counter = 0;

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  storeDir = await mkdtemp(path.join(tmpdir(), "switchboard-knowledge-"));
  store = createFsMediaStore(storeDir);
  const admin = await insertUser(database.db, "admin");
  caller = createCaller(
    testContext({
      db: database.db,
      user: admin,
      boss,
      webhooks: { appSecret: "t".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
    }),
  );
});
afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

/** Works every waiting job of `name` with the real handler, as a worker would. */
async function drain(
  name: "knowledge.index" | "knowledge.refresh",
  gemini: TGeminiConfig | null = null,
  allowPrivate = true,
) {
  let worked = 0;
  for (;;) {
    const jobs = await boss.fetch(name, { batchSize: 10 });
    if (jobs.length === 0) return worked;
    for (const job of jobs) {
      const context = {
        db: database.db,
        boss,
        log,
        job,
        ai: { gemini },
        webhooks: { allowPrivate },
        mediaStore: store,
      } as unknown as TJobContext;
      if (name === "knowledge.index") {
        await handleKnowledgeIndex(QUEUES["knowledge.index"].payload.parse(job.data), context);
      } else {
        await handleKnowledgeRefresh({}, context);
      }
      await boss.complete(name, job.id);
      worked += 1;
    }
  }
}

/** What the cron does every five minutes: one `knowledge.refresh` job, worked by the real handler. */
async function runRefreshCron() {
  await boss.send("knowledge.refresh", {});
  return drain("knowledge.refresh");
}

async function newCollection(language: "simple" | "english" | "spanish" = "english") {
  counter += 1;
  return caller.knowledge.saveCollection({
    id: null,
    collection: { name: `Collection ${counter}`, description: "", language },
  });
}

async function upload(bytes: Buffer, fileName: string) {
  return intakeMedia(database.db, store, Readable.from([bytes]), { kind: "document", fileName });
}

const sourceOf = async (id: string) =>
  (await database.db.select().from(knowledgeSources).where(eq(knowledgeSources.id, id)))[0]!;
const passagesOf = (sourceId: string) =>
  database.db
    .select()
    .from(knowledgePassages)
    .where(eq(knowledgePassages.sourceId, sourceId))
    .orderBy(asc(knowledgePassages.position));

describe("knowledge sources", () => {
  it("[pdf] a price list PDF is indexed into passages with its size, status and progress", async () => {
    const collection = await newCollection("english");
    const bytes = pdfBytes([
      ["Cakes", "", "Large cake – 45.00 EUR", "Small cake – 20.00 EUR", "", "Orders two days ahead."],
      ["Bread", "", "Sourdough loaf – 4.50 EUR"],
    ]);
    const file = await upload(bytes, "price-list.pdf");
    const added = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: file.sha256,
      fileName: "price-list.pdf",
    });
    expect(added).toMatchObject({ kind: "file", title: "price-list", status: "pending", progress: 0 });

    expect(await drain("knowledge.index")).toBe(1);

    const source = await sourceOf(added.id);
    expect(source).toMatchObject({ status: "indexed", progress: 100, error: null, sizeBytes: bytes.length });
    const passages = await passagesOf(added.id);
    expect(source.passageCount).toBe(passages.length);
    expect(passages.length).toBeGreaterThan(0);
    const all = passages.map((passage) => passage.body).join("\n");
    expect(all).toContain("Large cake – 45.00 EUR");
    expect(all).toContain("Sourdough loaf – 4.50 EUR");
    expect(passages[0]).toMatchObject({ title: "price-list", language: "english", embedding: null });
    // Stemmed in the collection's language: "cakes" finds the passage that says "cake".
    const { rows } = await database.pool.query<{ n: number }>(
      "select count(*)::int as n from knowledge_passages where source_id = $1 and search @@ plainto_tsquery('english', 'cakes')",
      [added.id],
    );
    expect(rows[0]!.n).toBeGreaterThan(0);

    const listed = await caller.knowledge.sources({ collectionId: collection.id });
    expect(listed).toEqual([
      expect.objectContaining({ id: added.id, status: "indexed", passageCount: passages.length }),
    ]);
    // The collections list counts its sources and passages.
    expect((await caller.knowledge.collections()).find((listed) => listed.id === collection.id)).toMatchObject({
      sources: 1,
      passages: passages.length,
    });
    const viewer = await caller.knowledge.passages({ sourceId: added.id });
    expect(viewer.passages.map((passage) => passage.body).join("\n")).toContain("Large cake – 45.00 EUR");

    // A new language rebuilds the passages' search vectors at once.
    await caller.knowledge.saveCollection({
      id: collection.id,
      collection: { name: collection.name, language: "spanish" },
    });
    expect(new Set((await passagesOf(added.id)).map((passage) => passage.language))).toEqual(new Set(["spanish"]));
  });

  it("[failed] a damaged, an encrypted and a text-less PDF, and a CSV without question and answer columns, fail with their reason", async () => {
    const collection = await newCollection();
    const broken = await upload(Buffer.from("%PDF-1.4\nthis is not really a PDF\n%%EOF\n"), "broken.pdf");
    const pdf = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: broken.sha256,
      fileName: "broken.pdf",
    });
    const locked = await upload(pdfBytes([["Secret prices"]], { encrypted: true }), "locked.pdf");
    const encrypted = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: locked.sha256,
      fileName: "locked.pdf",
    });
    const blank = await upload(pdfBytes([[""], [""]]), "scanned.pdf");
    const scanned = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: blank.sha256,
      fileName: "scanned.pdf",
    });
    const csvFile = await upload(Buffer.from("name,price\nLarge cake,45\n"), "prices.csv");
    const csv = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: csvFile.sha256,
      fileName: "prices.csv",
    });
    expect(csv.kind).toBe("qa");

    await drain("knowledge.index");

    expect(await sourceOf(pdf.id)).toMatchObject({ status: "failed", passageCount: 0, progress: 0 });
    expect(await sourceOf(csv.id)).toMatchObject({ status: "failed", passageCount: 0 });
    const listed = await caller.knowledge.sources({ collectionId: collection.id });
    expect(listed.find((row) => row.id === pdf.id)?.error).toBe(
      "The file is not a readable PDF (damaged or not a PDF).",
    );
    expect(listed.find((row) => row.id === encrypted.id)).toMatchObject({
      status: "failed",
      error: "The PDF is protected by a password; upload a copy without one.",
    });
    expect(listed.find((row) => row.id === scanned.id)).toMatchObject({
      status: "failed",
      error: "The PDF holds no text (perhaps scanned pages); upload a PDF with text, or paste the text.",
    });
    expect(listed.find((row) => row.id === csv.id)?.error).toBe(
      'The CSV needs a header row with a "question" column and an "answer" column.',
    );
  });

  it("[qa] a CSV of questions and answers gives one passage per row, the question as its title", async () => {
    const collection = await newCollection();
    const file = await upload(
      Buffer.from(
        'Question;Answer\nDo you deliver?;"Yes, within 5 km."\nAre you open on Sunday?;No, Monday to Saturday.\n',
      ),
      "faq.csv",
    );
    const source = await caller.knowledge.addFile({
      collectionId: collection.id,
      sha256: file.sha256,
      fileName: "faq.csv",
    });
    await drain("knowledge.index");
    const passages = await passagesOf(source.id);
    expect(passages.map((passage) => [passage.title, passage.body])).toEqual([
      ["Do you deliver?", "Yes, within 5 km."],
      ["Are you open on Sunday?", "No, Monday to Saturday."],
    ]);
  });

  it("[text] re-indexing replaces the passages; deleting the source removes them", async () => {
    const collection = await newCollection();
    const text = `# Hours\n\nOpen ${"every day from nine to six. ".repeat(30)}\n\n# Delivery\n\nWe deliver within 5 km.`;
    const source = await caller.knowledge.addText({ collectionId: collection.id, title: "Shop", text });
    await drain("knowledge.index");
    const first = await passagesOf(source.id);
    expect(first.map((passage) => passage.title)).toContain("Shop › Delivery");
    expect(first.every((passage) => passage.body.length <= 1_200)).toBe(true);

    await caller.knowledge.reindex({ sourceId: source.id });
    expect((await sourceOf(source.id)).status).toBe("pending");
    await drain("knowledge.index");
    const second = await passagesOf(source.id);
    expect(second.map((passage) => passage.body)).toEqual(first.map((passage) => passage.body));
    expect(second[0]!.id).not.toBe(first[0]!.id);

    await caller.knowledge.deleteSource({ id: source.id });
    expect(await passagesOf(source.id)).toEqual([]);
  });
});

describe("web page sources", () => {
  let server: Server;
  let page = "";
  let status = 200;
  let requests = 0;
  let base = "";

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      response.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(status === 200 ? page : "gone");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("[url] a page is fetched, split along its headings, and a refresh with the same text does not re-index it", async () => {
    const collection = await newCollection();
    page = `<html><head><title>Bakery hours</title><style>p{}</style></head><body>
      <h1>Opening hours</h1><p>Monday to Friday, 8:00 to 18:00.</p>
      <h2>Holidays</h2><ul><li>Closed on 25 December</li><li>Closed on 1 January</li></ul>
      <script>alert("no")</script></body></html>`;
    status = 200;
    const source = await caller.knowledge.addUrl({
      collectionId: collection.id,
      url: `${base}/hours`,
      refreshHours: 24,
    });
    await drain("knowledge.index");
    const indexed = await sourceOf(source.id);
    expect(indexed).toMatchObject({ status: "indexed", title: "Bakery hours", refreshHours: 24 });
    expect(indexed.nextFetchAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const passages = await passagesOf(source.id);
    expect(passages.map((passage) => passage.title)).toEqual([
      "Bakery hours › Opening hours",
      "Bakery hours › Holidays",
    ]);
    expect(passages[1]!.body).toBe("- Closed on 25 December\n- Closed on 1 January");
    expect(passages.map((passage) => passage.body).join(" ")).not.toContain("alert");

    // Due again with the same page: fetched, not re-indexed.
    await database.db
      .update(knowledgeSources)
      .set({ nextFetchAt: new Date(Date.now() - 1_000) })
      .where(eq(knowledgeSources.id, source.id));
    const before = requests;
    expect(await runRefreshCron()).toBe(1);
    await drain("knowledge.index");
    expect(requests).toBe(before + 1);
    const refreshed = await sourceOf(source.id);
    expect(refreshed.indexedAt).toEqual(indexed.indexedAt);
    expect((await passagesOf(source.id)).map((passage) => passage.id)).toEqual(passages.map((passage) => passage.id));
    expect(refreshed.nextFetchAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    // Not due: nothing is queued.
    await runRefreshCron();
    expect(await drain("knowledge.index")).toBe(0);

    // A changed page is indexed again.
    page = page.replace("18:00", "19:00");
    await database.db
      .update(knowledgeSources)
      .set({ nextFetchAt: new Date(Date.now() - 1_000) })
      .where(eq(knowledgeSources.id, source.id));
    await runRefreshCron();
    await drain("knowledge.index");
    const changed = await passagesOf(source.id);
    expect(changed[0]!.body).toContain("19:00");
    expect(changed[0]!.id).not.toBe(passages[0]!.id);
  });

  it("[url] a page that answers 404 fails with the status; a private address is refused where not allowed", async () => {
    const collection = await newCollection();
    status = 404;
    const source = await caller.knowledge.addUrl({ collectionId: collection.id, url: `${base}/missing` });
    await drain("knowledge.index");
    expect((await sourceOf(source.id)).status).toBe("failed");
    const listed = await caller.knowledge.sources({ collectionId: collection.id });
    expect(listed[0]?.error).toContain("status 404");

    // The worker refuses loopback when private networks are not allowed (the address checked at fetch time).
    status = 200;
    await caller.knowledge.reindex({ sourceId: source.id });
    await drain("knowledge.index", null, false);
    const refused = await caller.knowledge.sources({ collectionId: collection.id });
    expect(refused[0]).toMatchObject({ status: "failed" });
    expect(refused[0]?.error).toContain("private or local network");

    // And the router refuses it at once.
    const strict = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "builder"), boss }));
    await expect(strict.knowledge.addUrl({ collectionId: collection.id, url: `${base}/x` })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("embeddings", () => {
  const gemini = (url: string): TGeminiConfig => ({ apiKey: "test-key", model: "gemini-test", baseUrl: url });

  it("[embed] passages are embedded when Gemini is configured", async () => {
    const fake = await startFakeGemini();
    const collection = await newCollection();
    const source = await caller.knowledge.addText({
      collectionId: collection.id,
      title: "Cakes",
      text: "Large cake – 45.00 EUR\n\nSmall cake – 20.00 EUR",
    });
    await drain("knowledge.index", gemini(fake.url));
    const passages = await passagesOf(source.id);
    expect(passages.length).toBeGreaterThan(0);
    for (const passage of passages) {
      expect(passage.embeddingModel).toBe(EMBEDDING_MODEL);
      expect(passage.embedding?.length).toBeGreaterThan(0);
    }
    expect(fake.embedRequests.flat().join(" ")).toContain("Large cake");
    expect((await sourceOf(source.id)).error).toBeNull();
  });

  it("[progress] a large source's status and progress move while it is being embedded", async () => {
    const fake = await startFakeGemini();
    const collection = await newCollection();
    const text = Array.from(
      { length: 150 },
      (_, index) => `# Item ${index}\n\nItem ${index} costs ${index}.00 EUR and is baked every morning.`,
    ).join("\n\n");
    const source = await caller.knowledge.addText({ collectionId: collection.id, title: "Catalogue", text });
    // In front of the fake Gemini: what the source says at each embedding request.
    const seen: { status: string; progress: number; passages: number }[] = [];
    const proxy = createServer((request, response) => {
      void (async () => {
        const row = await sourceOf(source.id);
        seen.push({ status: row.status, progress: row.progress, passages: (await passagesOf(source.id)).length });
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const answer = await fetch(`${fake.url}${request.url}`, {
          method: request.method,
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        });
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      })();
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const viaProxy = gemini(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      await drain("knowledge.index", viaProxy);
      expect(seen.map((state) => state.passages)).toEqual([0, 0]);
      // Indexed again: while the new passages are being made, searches still find every old one.
      const before = await passagesOf(source.id);
      await caller.knowledge.reindex({ sourceId: source.id });
      await drain("knowledge.index", viaProxy);
      expect(seen.slice(2).map((state) => state.passages)).toEqual([150, 150]);
      const after = await passagesOf(source.id);
      expect(after).toHaveLength(150);
      expect(after[0]!.id).not.toBe(before[0]!.id);
      seen.splice(2);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
    expect(seen.length).toBe(2);
    expect(seen.map((state) => state.status)).toEqual(["indexing", "indexing"]);
    expect(seen[0]!.progress).toBeGreaterThanOrEqual(30);
    expect(seen[1]!.progress).toBeGreaterThan(seen[0]!.progress);
    expect(seen[1]!.progress).toBeLessThan(100);
    expect(await sourceOf(source.id)).toMatchObject({ status: "indexed", progress: 100, passageCount: 150 });
  });

  it("[embed] an embedding failure leaves the passages searchable by text, and says so", async () => {
    const fake = await startFakeGemini();
    fake.failNextEmbedding(503);
    const collection = await newCollection();
    const source = await caller.knowledge.addText({
      collectionId: collection.id,
      title: "Cakes",
      text: "Large cake – 45.00 EUR",
    });
    await drain("knowledge.index", gemini(fake.url));
    const indexed = await sourceOf(source.id);
    expect(indexed.status).toBe("indexed");
    const passages = await passagesOf(source.id);
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({ embedding: null, embeddingModel: null });
    const listed = await caller.knowledge.sources({ collectionId: collection.id });
    expect(listed[0]?.error).toContain("Indexed without embeddings");
  });
});

describe("media retention", () => {
  it("[retention] never removes a file a knowledge source refers to", async () => {
    const collection = await newCollection();
    const kept = await upload(pdfBytes([["Kept for the knowledge base"]]), "kept.pdf");
    const other = await upload(Buffer.from("an old file nobody refers to"), "old.txt");
    await caller.knowledge.addFile({ collectionId: collection.id, sha256: kept.sha256, fileName: "kept.pdf" });
    await database.db
      .update(mediaObjects)
      .set({ lastUsedAt: sql`now() - interval '400 days'` })
      .where(sql`${mediaObjects.sha256} in (${kept.sha256}, ${other.sha256})`);

    await pruneMedia(database.db, store, { olderThanDays: 30 });

    expect(await store.has(kept.sha256)).toBe(true);
    expect(await store.has(other.sha256)).toBe(false);
    const [row] = await database.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, kept.sha256));
    expect(row?.deletedAt).toBeNull();
  });
});
