import type { Readable } from "node:stream";
import { and, eq, isNotNull, lte, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { knowledgeCollections, knowledgePassages, knowledgeSources } from "~/db/schema/knowledge";
import type { TGeminiConfig } from "~/server/ai/models";
import { serverText } from "~/server/i18n/domain";
import { enqueueMany } from "~/server/jobs/boss";
import type { Logger } from "~/server/logger";
import { fetchMediaUrl, MediaUrlError } from "~/server/media/fetch-url";
import { formatLimit } from "~/server/media/limits";
import type { TMediaStore } from "~/server/media/store";
import { EMBEDDING_MODEL, embedTexts } from "./embed";
import {
  checkedText,
  decodeText,
  extractPdf,
  htmlToText,
  KNOWLEDGE_LIMITS,
  KnowledgeSourceError,
  parseQaCsv,
  sourceFailure,
} from "./extract";
import { contentHashOf, defaultUrlTitle, storedSourceError } from "./sources";
import { splitText, type TPassageDraft } from "./split";

/**
 * Indexing a source (the `knowledge.index` job): its text is extracted (the pasted text, the
 * file's bytes from the media store, the web page fetched through the SSRF guard), split into
 * passages, embedded when Gemini is configured, and the source's passages replaced in one
 * transaction, so a search sees the old passages or the new ones, never half of them. `status`
 * and `progress` say where it stands meanwhile. Input that cannot be used ends the source
 * `failed` with the reason (and without passages); an embedding failure does not: the passages
 * are stored without vectors, searchable by text, and the source says so.
 */

export type TIndexDeps = {
  /** The media store, for files (null: a file source fails, saying the file cannot be read). */
  store: TMediaStore | null;
  /** Gemini, for embeddings (null: passages are searchable by text only). */
  gemini: TGeminiConfig | null;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: a page on a private or loopback address may be fetched. */
  allowPrivate: boolean;
  log: Pick<Logger, "warn" | "error" | "info">;
  /** The whole fetch of a web page (default 15 s). */
  fetchTimeoutMs?: number;
  signal?: AbortSignal;
  now?: () => Date;
};

export type TIndexOutcome = "indexed" | "unchanged" | "failed" | "gone";

/** Passages embedded per request (and per progress step). */
const EMBED_CHUNK = 100;
/** Passages inserted per statement. */
const INSERT_CHUNK = 500;

type TExtracted = {
  /** What the splitter reads (a CSV's rows are passages of their own and leave this empty). */
  text: string;
  /** The passages of a CSV of questions and answers. */
  rows?: TPassageDraft[];
  /** The bytes given (file, page); pasted text keeps its own size. */
  size?: number;
  /** The page's or PDF's own title, for a source added without one. */
  title?: string;
};

async function readAll(stream: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function textOfDocument(bytes: Buffer, mimeType: string, onPdf: () => void): Promise<TExtracted> | TExtracted {
  if (mimeType === "application/pdf") {
    onPdf();
    return extractPdf(bytes).then(({ text, title }) => ({
      text: checkedText(text),
      size: bytes.length,
      ...(title ? { title } : {}),
    }));
  }
  if (mimeType === "text/html" || mimeType === "application/xhtml+xml") {
    const { title, text } = htmlToText(decodeText(bytes));
    return { text: checkedText(text), size: bytes.length, ...(title ? { title } : {}) };
  }
  if (mimeType === "text/plain" || mimeType === "text/markdown") {
    return { text: checkedText(decodeText(bytes)), size: bytes.length };
  }
  throw sourceFailure("fileType", { type: mimeType || "?" });
}

function qaOf(bytes: Buffer): TExtracted {
  const rows = parseQaCsv(decodeText(bytes));
  return {
    text: rows.map((row) => `${row.question}\n${row.answer}`).join("\n\n"),
    rows: rows.map((row) => ({
      title: row.question.slice(0, 500),
      body: row.answer,
    })),
    size: bytes.length,
  };
}

const URL_FAILURES: Record<MediaUrlError["code"], string> = {
  bad_url: "urlInvalid",
  refused_address: "urlPrivate",
  unreachable: "urlUnreachable",
  http_status: "urlStatus",
  too_many_redirects: "urlRedirects",
  timeout: "urlTimeout",
  too_large: "urlTooLarge",
};

async function fetchPage(url: string, deps: TIndexDeps): Promise<TExtracted> {
  const limit = formatLimit(KNOWLEDGE_LIMITS.pageBytes);
  let fetched: Awaited<ReturnType<typeof fetchMediaUrl>>;
  try {
    fetched = await fetchMediaUrl(url, {
      allowPrivate: deps.allowPrivate,
      timeoutMs: deps.fetchTimeoutMs ?? 15_000,
      maxBytes: KNOWLEDGE_LIMITS.pageBytes,
    });
  } catch (error) {
    if (error instanceof MediaUrlError) {
      throw sourceFailure(URL_FAILURES[error.code], {
        host: safeHost(url),
        status: error.status ?? 0,
        limit,
      });
    }
    throw error;
  }
  let bytes: Buffer;
  try {
    bytes = await readAll(fetched.stream, KNOWLEDGE_LIMITS.pageBytes, () =>
      sourceFailure("urlTooLarge", { host: safeHost(url), status: 0, limit }),
    );
  } catch (error) {
    if (error instanceof KnowledgeSourceError) throw error;
    const failure = fetched.failure();
    throw sourceFailure(URL_FAILURES[failure?.code ?? "unreachable"], { host: safeHost(url), status: 0, limit });
  }
  const claimed = fetched.claimedMimeType ?? "";
  const mimeType =
    claimed === "text/html" || claimed === "application/xhtml+xml"
      ? "text/html"
      : claimed === "application/pdf" || bytes.subarray(0, 5).toString("latin1") === "%PDF-"
        ? "application/pdf"
        : claimed === "text/plain" || claimed === "text/markdown"
          ? claimed
          : /^\s*</.test(bytes.subarray(0, 512).toString("utf8"))
            ? "text/html"
            : claimed;
  return textOfDocument(bytes, mimeType, () => undefined);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "?";
  }
}

/**
 * Indexes one source (see the module comment). `refresh`: a scheduled fetch of a web page, which
 * leaves the passages alone when the page's text has not changed (only the next fetch moves).
 */
export async function indexSource(
  db: TDb,
  deps: TIndexDeps,
  sourceId: string,
  options: { refresh?: boolean } = {},
): Promise<TIndexOutcome> {
  const now = deps.now ?? (() => new Date());
  const [source] = await db
    .select({
      id: knowledgeSources.id,
      kind: knowledgeSources.kind,
      title: knowledgeSources.title,
      content: knowledgeSources.content,
      mediaSha256: knowledgeSources.mediaSha256,
      mimeType: knowledgeSources.mimeType,
      url: knowledgeSources.url,
      refreshHours: knowledgeSources.refreshHours,
      contentHash: knowledgeSources.contentHash,
      status: knowledgeSources.status,
      collectionId: knowledgeSources.collectionId,
      language: knowledgeCollections.language,
    })
    .from(knowledgeSources)
    .innerJoin(knowledgeCollections, eq(knowledgeCollections.id, knowledgeSources.collectionId))
    .where(eq(knowledgeSources.id, sourceId));
  if (!source) return "gone";

  let lastProgress = -1;
  const setProgress = async (progress: number, extra: Partial<typeof knowledgeSources.$inferInsert> = {}) => {
    const value = Math.max(0, Math.min(99, Math.round(progress)));
    if (value === lastProgress && Object.keys(extra).length === 0) return;
    lastProgress = value;
    await db
      .update(knowledgeSources)
      .set({ progress: value, updatedAt: now(), ...extra })
      .where(eq(knowledgeSources.id, sourceId));
  };
  const nextFetchAt = () =>
    source.kind === "url" && source.refreshHours !== null
      ? new Date(now().getTime() + source.refreshHours * 3_600_000)
      : null;

  // A refresh fetches first and only shows "indexing" once there is something new to index.
  if (!options.refresh) await setProgress(2, { status: "indexing", error: null });

  try {
    let extracted: TExtracted;
    switch (source.kind) {
      case "text":
        extracted = { text: checkedText(source.content) };
        break;
      case "file":
      case "qa": {
        const bytes = await readStoredFile(deps.store, source.mediaSha256);
        extracted =
          source.kind === "qa" ? qaOf(bytes) : await textOfDocument(bytes, source.mimeType ?? "", () => undefined);
        break;
      }
      case "url":
        extracted = await fetchPage(source.url ?? "", deps);
        break;
    }
    const contentHash = contentHashOf(extracted.text);
    if (options.refresh && source.status === "indexed" && contentHash === source.contentHash) {
      await db.update(knowledgeSources).set({ nextFetchAt: nextFetchAt() }).where(eq(knowledgeSources.id, sourceId));
      return "unchanged";
    }
    if (options.refresh) await setProgress(10, { status: "indexing", error: null });
    else await setProgress(20);

    // A page added without a title takes its own `<title>`.
    const title =
      extracted.title && source.kind === "url" && source.title === defaultUrlTitle(source.url)
        ? extracted.title
        : source.title;
    const drafts = extracted.rows ?? splitText(extracted.text, title);
    if (drafts.length === 0) throw sourceFailure("noText");
    await setProgress(30);

    // Embeddings (30 → 90 %); a failure leaves every passage without one, searchable by text.
    let embeddings: (number[] | null)[] = drafts.map(() => null);
    let note: string | null = null;
    if (deps.gemini) {
      try {
        const vectors: number[][] = [];
        for (let start = 0; start < drafts.length; start += EMBED_CHUNK) {
          const chunk = drafts.slice(start, start + EMBED_CHUNK);
          vectors.push(
            ...(await embedTexts(
              deps.gemini,
              chunk.map((draft) => `${draft.title}\n\n${draft.body}`),
              "document",
              deps.signal,
            )),
          );
          await setProgress(30 + (60 * (start + chunk.length)) / drafts.length);
        }
        embeddings = vectors;
      } catch (error) {
        deps.log.warn(
          {
            sourceId,
            passages: drafts.length,
            reason: error instanceof Error ? error.message.slice(0, 200) : "unknown",
          },
          "knowledge passages could not be embedded; they are searchable by text only",
        );
        note = storedSourceError(serverText("knowledgeUi.failure.embeddingFailed"));
      }
    }
    await setProgress(90);

    const replaced = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ id: knowledgeSources.id })
        .from(knowledgeSources)
        .where(eq(knowledgeSources.id, sourceId))
        .for("update");
      if (!locked) return false;
      await tx.delete(knowledgePassages).where(eq(knowledgePassages.sourceId, sourceId));
      for (let start = 0; start < drafts.length; start += INSERT_CHUNK) {
        await tx.insert(knowledgePassages).values(
          drafts.slice(start, start + INSERT_CHUNK).map((draft, offset) => {
            const embedding = embeddings[start + offset] ?? null;
            return {
              sourceId,
              collectionId: source.collectionId,
              position: start + offset,
              title: draft.title,
              body: draft.body,
              language: source.language,
              embedding,
              embeddingModel: embedding ? EMBEDDING_MODEL : null,
            };
          }),
        );
      }
      await tx
        .update(knowledgeSources)
        .set({
          status: "indexed",
          progress: 100,
          error: note,
          passageCount: drafts.length,
          contentHash,
          ...(source.kind === "text" ? {} : { content: extracted.text }),
          ...(extracted.size !== undefined ? { sizeBytes: extracted.size } : {}),
          title,
          indexedAt: now(),
          nextFetchAt: nextFetchAt(),
          updatedAt: now(),
        })
        .where(eq(knowledgeSources.id, sourceId));
      return true;
    });
    return replaced ? "indexed" : "gone";
  } catch (error) {
    if (!(error instanceof KnowledgeSourceError)) {
      deps.log.error({ err: error, sourceId }, "a knowledge source could not be indexed");
    }
    const text = error instanceof KnowledgeSourceError ? error.text : serverText("knowledgeUi.failure.unexpected");
    await db.transaction(async (tx) => {
      await tx.delete(knowledgePassages).where(eq(knowledgePassages.sourceId, sourceId));
      await tx
        .update(knowledgeSources)
        .set({
          status: "failed",
          progress: 0,
          error: storedSourceError(text),
          passageCount: 0,
          contentHash: null,
          nextFetchAt: nextFetchAt(),
          updatedAt: now(),
        })
        .where(eq(knowledgeSources.id, sourceId));
    });
    return "failed";
  }
}

async function readStoredFile(store: TMediaStore | null, sha256: string | null): Promise<Buffer> {
  if (!store || !sha256) throw sourceFailure("fileGone");
  const found = await store.get(sha256);
  if (!found) throw sourceFailure("fileGone");
  const limit = formatLimit(KNOWLEDGE_LIMITS.fileBytes);
  if (found.size > KNOWLEDGE_LIMITS.fileBytes) {
    found.stream.destroy();
    throw sourceFailure("fileTooLarge", { limit });
  }
  return readAll(found.stream, KNOWLEDGE_LIMITS.fileBytes, () => sourceFailure("fileTooLarge", { limit }));
}

/** Sources claimed per cron run. */
const REFRESH_BATCH = 100;
/** A claimed source is not claimed again for this long (its job sets the real next fetch). */
const CLAIM_MS = 30 * 60_000;

/**
 * The `knowledge.refresh` cron: web pages whose next fetch is due are queued for a refresh
 * (which re-indexes only when their text changed). Each is claimed by moving its next fetch half
 * an hour on, in the same transaction as its job, so a slow job is not queued twice.
 */
export async function queueDueRefreshes(db: TDb, boss: PgBoss, now: Date = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: knowledgeSources.id })
      .from(knowledgeSources)
      .where(
        and(
          eq(knowledgeSources.kind, "url"),
          isNotNull(knowledgeSources.refreshHours),
          lte(knowledgeSources.nextFetchAt, now),
          sql`${knowledgeSources.status} in ('indexed', 'failed')`,
        ),
      )
      .orderBy(knowledgeSources.nextFetchAt)
      .limit(REFRESH_BATCH)
      .for("update", { skipLocked: true });
    if (due.length === 0) return 0;
    await tx
      .update(knowledgeSources)
      .set({ nextFetchAt: new Date(now.getTime() + CLAIM_MS) })
      .where(
        sql`${knowledgeSources.id} in (${sql.join(
          due.map((row) => sql`${row.id}::uuid`),
          sql`, `,
        )})`,
      );
    await enqueueMany(
      boss,
      "knowledge.index",
      due.map((row) => ({ sourceId: row.id, refresh: true })),
      { tx },
    );
    return due.length;
  });
}
