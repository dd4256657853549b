import { createHash } from "node:crypto";
import { and, asc, count, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { mediaObjects } from "~/db/schema";
import {
  knowledgeCollections,
  knowledgePassages,
  knowledgeSources,
  SEARCH_LANGUAGES,
  type TKnowledgeSourceKind,
  type TKnowledgeSourceStatus,
  type TSearchLanguage,
} from "~/db/schema/knowledge";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError, isUniqueViolation } from "~/server/errors";
import { domainText, serverText, type TServerText } from "~/server/i18n/domain";
import type { TLocale } from "~/server/i18n/locales";
import { enqueue } from "~/server/jobs/boss";
import { checkMediaUrl, MediaUrlError } from "~/server/media/fetch-url";
import { formatLimit } from "~/server/media/limits";
import { KNOWLEDGE_LIMITS } from "./extract";

/**
 * The knowledge base's collections and sources, as the Knowledge page manages them: a collection
 * (unique name, any case; a search language), its sources (pasted text, a file from the media
 * store, a CSV of questions and answers, a web page), each indexed by the `knowledge.index` job
 * (server/knowledge/indexing.ts). Adding or re-indexing a source queues that job in the same
 * transaction, so a source never waits for a job that was not sent.
 */

const ZName = z.string().trim().min(1, "Name the collection.").max(80, "A name has at most 80 characters.");

export const ZCollectionInput = z
  .object({
    name: ZName,
    description: z.string().trim().max(1_000, "A description has at most 1,000 characters.").default(""),
    language: z.enum(SEARCH_LANGUAGES).default("simple"),
  })
  .strict();
export type TCollectionInput = z.input<typeof ZCollectionInput>;

const ZTitle = z.string().trim().max(200, "A title has at most 200 characters.");

export const ZAddTextInput = z
  .object({
    collectionId: z.uuid(),
    title: ZTitle.min(1, "Give the text a title."),
    text: z
      .string()
      .max(KNOWLEDGE_LIMITS.pastedChars, "Pasted text has at most 200,000 characters; upload a file for more."),
  })
  .strict();
export const ZAddFileInput = z
  .object({
    collectionId: z.uuid(),
    /** The file as uploaded through /api/media/uploads. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    fileName: z.string().trim().max(255).default(""),
    title: ZTitle.default(""),
    /** A CSV of questions and answers (one passage per row) rather than a document. */
    asQa: z.boolean().default(false),
  })
  .strict();
export const ZAddUrlInput = z
  .object({
    collectionId: z.uuid(),
    url: z.string().trim().max(2_000, "An address has at most 2,000 characters."),
    title: ZTitle.default(""),
    /** Fetched again every this many hours; null: once. */
    refreshHours: z.number().int().min(1).max(8_760).nullable().default(null),
  })
  .strict();

/** File types a source may be: what the extractor reads. */
export const DOCUMENT_TYPES = new Set(["application/pdf", "text/plain", "text/markdown"]);
export const QA_TYPES = new Set(["text/csv", "text/tab-separated-values", "text/plain"]);

function uniqueName(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("CONFLICT", serverText("knowledgeUi.errors.nameTaken"), {
      name: serverText("knowledgeUi.errors.chooseAnotherName"),
    });
  }
  throw error;
}

const collectionGone = () => new AppError("NOT_FOUND", serverText("knowledgeUi.errors.collectionGone"));
const sourceGone = () => new AppError("NOT_FOUND", serverText("knowledgeUi.errors.sourceGone"));

/** Every collection with how many sources and passages it has, by name. */
export async function listCollections(db: TDbOrTx) {
  const rows = await db
    .select({
      id: knowledgeCollections.id,
      name: knowledgeCollections.name,
      description: knowledgeCollections.description,
      language: knowledgeCollections.language,
      createdAt: knowledgeCollections.createdAt,
      updatedAt: knowledgeCollections.updatedAt,
      sources: sql<number>`(select count(*)::int from ${knowledgeSources} s where s.collection_id = ${knowledgeCollections}.id)`,
      passages: sql<number>`(select coalesce(sum(s.passage_count), 0)::int from ${knowledgeSources} s where s.collection_id = ${knowledgeCollections}.id)`,
    })
    .from(knowledgeCollections)
    .orderBy(sql`lower(${knowledgeCollections.name})`);
  return rows;
}

/** Creates a collection (new when `id` is null) or updates it; a new language re-stems its passages at once. */
export async function saveCollection(db: TDb, actor: TActor, id: string | null, input: TCollectionInput) {
  const collection = ZCollectionInput.parse(input);
  return db
    .transaction(async (tx) => {
      if (!id) {
        const [created] = await tx.insert(knowledgeCollections).values(collection).returning();
        await recordAudit(tx, actor, {
          action: "create",
          entity: "knowledge_collection",
          entityId: created!.id,
          after: created,
        });
        return created!;
      }
      const [before] = await tx
        .select()
        .from(knowledgeCollections)
        .where(eq(knowledgeCollections.id, id))
        .for("update");
      if (!before) throw collectionGone();
      const [updated] = await tx
        .update(knowledgeCollections)
        .set({ ...collection, updatedAt: new Date() })
        .where(eq(knowledgeCollections.id, id))
        .returning();
      if (before.language !== collection.language) {
        // `search` is generated from `language`: rewriting the language rebuilds every vector.
        await tx
          .update(knowledgePassages)
          .set({ language: collection.language })
          .where(eq(knowledgePassages.collectionId, id));
      }
      await recordAudit(tx, actor, {
        action: "update",
        entity: "knowledge_collection",
        entityId: id,
        before,
        after: updated,
      });
      return updated!;
    })
    .catch(uniqueName);
}

/** Deletes a collection with its sources and passages (their files stay in the media store until retention). */
export async function deleteCollection(db: TDb, actor: TActor, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(knowledgeCollections).where(eq(knowledgeCollections.id, id)).returning();
    if (!row) throw collectionGone();
    await recordAudit(tx, actor, { action: "delete", entity: "knowledge_collection", entityId: id, before: row });
  });
}

/** A source as the Knowledge page lists it: its failure (or note) in the reader's words. */
export type TSourceRow = {
  id: string;
  collectionId: string;
  kind: TKnowledgeSourceKind;
  title: string;
  fileName: string | null;
  mimeType: string | null;
  url: string | null;
  refreshHours: number | null;
  nextFetchAt: Date | null;
  sizeBytes: number;
  status: TKnowledgeSourceStatus;
  progress: number;
  /** Why it failed; on an indexed source, a note (passages searchable by text only). */
  error: string | null;
  passageCount: number;
  indexedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

/** A stored failure or note: a catalogue text (JSON), or plain text as written. */
export function parseSourceError(stored: string | null): TServerText | string | null {
  if (stored === null) return null;
  try {
    const parsed = JSON.parse(stored) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as TServerText).key === "string") {
      return parsed as TServerText;
    }
  } catch {
    // Plain text.
  }
  return stored;
}

export function storedSourceError(text: TServerText): string {
  return JSON.stringify(text);
}

const SOURCE_COLUMNS = {
  id: knowledgeSources.id,
  collectionId: knowledgeSources.collectionId,
  kind: knowledgeSources.kind,
  title: knowledgeSources.title,
  fileName: knowledgeSources.fileName,
  mimeType: knowledgeSources.mimeType,
  url: knowledgeSources.url,
  refreshHours: knowledgeSources.refreshHours,
  nextFetchAt: knowledgeSources.nextFetchAt,
  sizeBytes: knowledgeSources.sizeBytes,
  status: knowledgeSources.status,
  progress: knowledgeSources.progress,
  error: knowledgeSources.error,
  passageCount: knowledgeSources.passageCount,
  indexedAt: knowledgeSources.indexedAt,
  createdAt: knowledgeSources.createdAt,
  updatedAt: knowledgeSources.updatedAt,
};

/** A collection's sources, newest first, with their failures in `locale`. */
export async function listSources(db: TDbOrTx, collectionId: string, locale: TLocale): Promise<TSourceRow[]> {
  const rows = await db
    .select(SOURCE_COLUMNS)
    .from(knowledgeSources)
    .where(eq(knowledgeSources.collectionId, collectionId))
    .orderBy(desc(knowledgeSources.createdAt), desc(knowledgeSources.id));
  return rows.map((row) => {
    const error = parseSourceError(row.error);
    return { ...row, error: error === null ? null : domainText(locale, error) };
  });
}

/** A source's passages in order (a page of them), for the passage viewer. */
export async function listPassages(db: TDbOrTx, sourceId: string, options: { after?: number; limit?: number } = {}) {
  const limit = options.limit ?? 50;
  const rows = await db
    .select({
      id: knowledgePassages.id,
      position: knowledgePassages.position,
      title: knowledgePassages.title,
      body: knowledgePassages.body,
      embedded: sql<boolean>`${knowledgePassages.embedding} is not null`,
    })
    .from(knowledgePassages)
    .where(
      and(
        eq(knowledgePassages.sourceId, sourceId),
        options.after !== undefined ? gt(knowledgePassages.position, options.after) : undefined,
      ),
    )
    .orderBy(asc(knowledgePassages.position))
    .limit(limit + 1);
  return {
    passages: rows.slice(0, limit),
    nextAfter: rows.length > limit ? (rows[limit - 1]?.position ?? null) : null,
  };
}

async function lockCollection(tx: TDbOrTx, collectionId: string) {
  const [collection] = await tx
    .select({ id: knowledgeCollections.id })
    .from(knowledgeCollections)
    .where(eq(knowledgeCollections.id, collectionId))
    .for("share");
  if (!collection) throw collectionGone();
}

type TNewSource = Omit<typeof knowledgeSources.$inferInsert, "id" | "createdAt" | "updatedAt">;

async function insertSource(
  db: TDb,
  boss: PgBoss,
  actor: TActor,
  values: TNewSource,
  check?: (tx: TDbOrTx) => Promise<void>,
) {
  return db.transaction(async (tx) => {
    await lockCollection(tx, values.collectionId);
    await check?.(tx);
    const [created] = await tx
      .insert(knowledgeSources)
      .values({ ...values, status: "pending", progress: 0, createdBy: actor?.id ?? null })
      .returning(SOURCE_COLUMNS);
    await enqueue(boss, "knowledge.index", { sourceId: created!.id }, { tx });
    await recordAudit(tx, actor, {
      action: "create",
      entity: "knowledge_source",
      entityId: created!.id,
      after: { collectionId: values.collectionId, kind: values.kind, title: values.title, url: values.url ?? null },
    });
    return created!;
  });
}

/** Adds pasted text as a source (indexed by the job). */
export async function addTextSource(db: TDb, boss: PgBoss, actor: TActor, input: z.input<typeof ZAddTextInput>) {
  const { collectionId, title, text } = ZAddTextInput.parse(input);
  if (text.trim() === "") {
    throw new AppError("BAD_REQUEST", "Paste the text to add.", {
      text: "Paste the text to add.",
    });
  }
  return insertSource(db, boss, actor, {
    collectionId,
    kind: "text",
    title,
    content: text,
    sizeBytes: Buffer.byteLength(text, "utf8"),
  });
}

/**
 * Adds an uploaded file (already in the media store, see app/api/media/uploads) as a source: a
 * PDF, Markdown or text document, or, with `asQa` (or any CSV), questions and answers. Refused
 * when the file is missing, too large for the knowledge base or of a type it cannot read.
 */
export async function addFileSource(db: TDb, boss: PgBoss, actor: TActor, input: z.input<typeof ZAddFileInput>) {
  const { collectionId, sha256, fileName, title, asQa } = ZAddFileInput.parse(input);
  const [file] = await db
    .select({ size: mediaObjects.size, mimeType: mediaObjects.mimeType })
    .from(mediaObjects)
    .where(and(eq(mediaObjects.sha256, sha256), isNull(mediaObjects.deletedAt)));
  if (!file) throw new AppError("NOT_FOUND", serverText("knowledgeUi.errors.fileGone"));
  if (file.size > KNOWLEDGE_LIMITS.fileBytes) {
    throw new AppError(
      "BAD_REQUEST",
      serverText("knowledgeUi.errors.fileTooLarge", { limit: formatLimit(KNOWLEDGE_LIMITS.fileBytes) }),
    );
  }
  const mimeType = file.mimeType.split(";")[0]!.trim();
  const isQa = mimeType === "text/csv" || mimeType === "text/tab-separated-values" || (asQa && QA_TYPES.has(mimeType));
  if (!isQa && !DOCUMENT_TYPES.has(mimeType)) {
    throw new AppError("BAD_REQUEST", serverText("knowledgeUi.errors.fileType", { type: mimeType }));
  }
  const name = fileName || sha256.slice(0, 12);
  return insertSource(
    db,
    boss,
    actor,
    {
      collectionId,
      kind: isQa ? "qa" : "file",
      title: title || name.replace(/\.[a-z0-9]{1,8}$/i, "").slice(0, 200) || name,
      mediaSha256: sha256,
      fileName: name,
      mimeType,
      sizeBytes: file.size,
    },
    async (tx) => {
      // Under the file's row lock: retention (which skips locked rows) cannot remove it in between,
      // and once this commits it sees the source referring to it.
      const [kept] = await tx
        .select({ sha256: mediaObjects.sha256 })
        .from(mediaObjects)
        .where(and(eq(mediaObjects.sha256, sha256), isNull(mediaObjects.deletedAt)))
        .for("share");
      if (!kept) throw new AppError("NOT_FOUND", serverText("knowledgeUi.errors.fileGone"));
    },
  );
}

/**
 * Adds a web page as a source: fetched by the job through the SSRF guard (a private address is
 * refused here already when written as one, and at fetch time after DNS), then again every
 * `refreshHours` when set.
 */
export async function addUrlSource(
  db: TDb,
  boss: PgBoss,
  actor: TActor,
  input: z.input<typeof ZAddUrlInput>,
  options: { allowPrivate: boolean },
) {
  const { collectionId, url, title, refreshHours } = ZAddUrlInput.parse(input);
  let checked: URL;
  try {
    checked = checkMediaUrl(url, options.allowPrivate);
  } catch (error) {
    const key =
      error instanceof MediaUrlError && error.code === "refused_address"
        ? "knowledgeUi.errors.urlPrivate"
        : "knowledgeUi.errors.urlInvalid";
    throw new AppError("BAD_REQUEST", serverText(key), { url: serverText(key) });
  }
  return insertSource(db, boss, actor, {
    collectionId,
    kind: "url",
    title: title || defaultUrlTitle(checked.toString()),
    url: checked.toString(),
    refreshHours,
  });
}

/** Changes a source's title, or a web page's refresh interval. */
export async function updateSource(
  db: TDb,
  actor: TActor,
  input: { id: string; title?: string; refreshHours?: number | null },
) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(knowledgeSources).where(eq(knowledgeSources.id, input.id)).for("update");
    if (!before) throw sourceGone();
    const refreshHours = before.kind === "url" ? input.refreshHours : undefined;
    const [updated] = await tx
      .update(knowledgeSources)
      .set({
        ...(input.title ? { title: input.title } : {}),
        ...(refreshHours !== undefined
          ? {
              refreshHours,
              nextFetchAt:
                refreshHours === null
                  ? null
                  : new Date((before.indexedAt ?? new Date()).getTime() + refreshHours * 3_600_000),
            }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(knowledgeSources.id, input.id))
      .returning(SOURCE_COLUMNS);
    await recordAudit(tx, actor, {
      action: "update",
      entity: "knowledge_source",
      entityId: input.id,
      before: { title: before.title, refreshHours: before.refreshHours },
      after: { title: updated!.title, refreshHours: updated!.refreshHours },
    });
    return updated!;
  });
}

/** Deletes a source and its passages (a file's bytes stay in the media store until retention). */
export async function deleteSource(db: TDb, actor: TActor, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(knowledgeSources)
      .where(eq(knowledgeSources.id, id))
      .returning({ id: knowledgeSources.id, title: knowledgeSources.title, kind: knowledgeSources.kind });
    if (!row) throw sourceGone();
    await recordAudit(tx, actor, { action: "delete", entity: "knowledge_source", entityId: id, before: row });
  });
}

/** Queues a source (or every source of a collection) to be indexed again; they show as pending until the job takes them. */
export async function reindex(db: TDb, boss: PgBoss, target: { sourceId: string } | { collectionId: string }) {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(knowledgeSources)
      .set({ status: "pending", progress: 0, updatedAt: new Date() })
      .where(
        "sourceId" in target
          ? eq(knowledgeSources.id, target.sourceId)
          : eq(knowledgeSources.collectionId, target.collectionId),
      )
      .returning({ id: knowledgeSources.id });
    if ("sourceId" in target && rows.length === 0) throw sourceGone();
    for (const row of rows) await enqueue(boss, "knowledge.index", { sourceId: row.id }, { tx });
    return { queued: rows.length };
  });
}

/** The title of a web page added without one (until its own `<title>` replaces it). */
export function defaultUrlTitle(url: string | null): string {
  if (!url) return "";
  try {
    const parsed = new URL(url);
    return parsed.host + (parsed.pathname === "/" ? "" : parsed.pathname).slice(0, 150);
  } catch {
    return "";
  }
}

/** SHA-256 of extracted text: a refresh that finds the same text leaves the passages alone. */
export function contentHashOf(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** How many sources a collection has, by status (for tests and the page's summary). */
export async function countSources(db: TDbOrTx, collectionId: string) {
  return db
    .select({ status: knowledgeSources.status, n: count() })
    .from(knowledgeSources)
    .where(eq(knowledgeSources.collectionId, collectionId))
    .groupBy(knowledgeSources.status);
}

export type { TSearchLanguage };
