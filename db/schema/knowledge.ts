import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { mediaObjects } from "./media";
import { contextProfiles } from "./profiles";
import { users } from "./users";

/**
 * The text search configurations a collection may use (Postgres ships their dictionaries,
 * embedded server included). `simple` folds case only: for mixed or other languages.
 */
export const SEARCH_LANGUAGES = [
  "simple",
  "english",
  "spanish",
  "portuguese",
  "french",
  "german",
  "italian",
  "dutch",
] as const;
export type TSearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/** Postgres `regconfig`: a text search configuration, written and read by its name. */
const regconfig = customType<{ data: TSearchLanguage }>({ dataType: () => "regconfig" });
/** Postgres `tsvector` (generated here, never written by the application). */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * A collection of sources the bot may answer from (price lists, policies, branch hours…). A
 * profile chooses its collections (`profile_collections`). Its language decides how its
 * passages are stemmed and how questions are searched.
 */
export const knowledgeCollections = pgTable(
  "knowledge_collections",
  {
    id: id(),
    name: text().notNull(),
    description: text().notNull().default(""),
    language: regconfig().notNull().default("simple"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("knowledge_collections_name_lower_key").on(sql`lower(${t.name})`),
    check(
      "knowledge_collections_language_check",
      sql`${t.language}::text in (${sql.raw(SEARCH_LANGUAGES.map((name) => `'${name}'`).join(", "))})`,
    ),
  ],
);

/** Pasted text, an uploaded file (PDF, Markdown, text), a CSV of questions and answers, a web page. */
export const KNOWLEDGE_SOURCE_KINDS = ["text", "file", "qa", "url"] as const;
export type TKnowledgeSourceKind = (typeof KNOWLEDGE_SOURCE_KINDS)[number];
export const knowledgeSourceKind = pgEnum("knowledge_source_kind", KNOWLEDGE_SOURCE_KINDS);

/** Where a source's indexing stands: waiting for the job, being split, searchable, or failed (with `error`). */
export const KNOWLEDGE_SOURCE_STATUSES = ["pending", "indexing", "indexed", "failed"] as const;
export type TKnowledgeSourceStatus = (typeof KNOWLEDGE_SOURCE_STATUSES)[number];
export const knowledgeSourceStatus = pgEnum("knowledge_source_status", KNOWLEDGE_SOURCE_STATUSES);

/**
 * One source of a collection. Its text is split into passages (`knowledge_passages`) by the
 * `knowledge.index` job; `status`, `progress` and `error` say how that went. A file's bytes
 * stay in the media store (`media_sha256`), so it can be indexed again; a web page is fetched
 * again every `refresh_hours` (null: fetched once).
 */
export const knowledgeSources = pgTable(
  "knowledge_sources",
  {
    id: id(),
    collectionId: uuid()
      .notNull()
      .references(() => knowledgeCollections.id, { onDelete: "cascade" }),
    kind: knowledgeSourceKind().notNull(),
    title: text().notNull(),
    /** Pasted text; for files and pages, the text last extracted from them. */
    content: text().notNull().default(""),
    /** A file: its bytes in the media store, its name and real type. */
    mediaSha256: text().references(() => mediaObjects.sha256, { onDelete: "set null" }),
    fileName: text(),
    mimeType: text(),
    /** A web page: its address and how often it is fetched again (null: once). */
    url: text(),
    refreshHours: integer(),
    nextFetchAt: timestamptz(),
    /** Size of what was given (the file's or page's bytes, the pasted text's characters). */
    sizeBytes: bigint({ mode: "number" }).notNull().default(0),
    /** SHA-256 of the extracted text: a refresh that finds the same text does not re-index. */
    contentHash: text(),
    status: knowledgeSourceStatus().notNull().default("pending"),
    /** 0–100 while indexing. */
    progress: integer().notNull().default(0),
    error: text(),
    passageCount: integer().notNull().default(0),
    indexedAt: timestamptz(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [
    index("knowledge_sources_collection_idx").on(t.collectionId),
    index("knowledge_sources_next_fetch_idx")
      .on(t.nextFetchAt)
      .where(sql`${t.nextFetchAt} is not null`),
    check("knowledge_sources_progress_check", sql`${t.progress} between 0 and 100`),
    check("knowledge_sources_refresh_check", sql`coalesce(${t.refreshHours}, 1) between 1 and 8760`),
  ],
);

/**
 * A passage of a source: a few paragraphs under their heading (`title` keeps the source's
 * title and the section's heading). `search` is its text search vector in the collection's
 * language, title weighted above body; `embedding` its vector when Gemini is configured.
 */
export const knowledgePassages = pgTable(
  "knowledge_passages",
  {
    id: id(),
    sourceId: uuid()
      .notNull()
      .references(() => knowledgeSources.id, { onDelete: "cascade" }),
    collectionId: uuid()
      .notNull()
      .references(() => knowledgeCollections.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    title: text().notNull().default(""),
    body: text().notNull(),
    language: regconfig().notNull().default("simple"),
    search: tsvector().generatedAlwaysAs(
      sql`setweight(to_tsvector(language, coalesce(title, '')), 'A') || setweight(to_tsvector(language, body), 'B')`,
    ),
    embedding: real().array(),
    embeddingModel: text(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("knowledge_passages_search_idx").using("gin", t.search),
    index("knowledge_passages_collection_idx").on(t.collectionId),
    uniqueIndex("knowledge_passages_source_position_key").on(t.sourceId, t.position),
  ],
);

/** The collections a profile's AI replies may draw on. */
export const profileCollections = pgTable(
  "profile_collections",
  {
    profileId: uuid()
      .notNull()
      .references(() => contextProfiles.id, { onDelete: "cascade" }),
    collectionId: uuid()
      .notNull()
      .references(() => knowledgeCollections.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.profileId, t.collectionId] }),
    index("profile_collections_collection_idx").on(t.collectionId),
  ],
);

export const TOOL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * An HTTP lookup the model may call (function calling): its name and description for the
 * model, its parameters as a JSON schema, and the request it makes (URL, headers and body
 * templates with `{{args.NAME}}` and `{{secrets.NAME}}`), sent through the SSRF guard.
 */
export const aiTools = pgTable(
  "ai_tools",
  {
    id: id(),
    name: text().notNull(),
    description: text().notNull(),
    parameters: jsonb().$type<Record<string, unknown>>().notNull().default({ type: "object", properties: {} }),
    method: text().$type<(typeof TOOL_METHODS)[number]>().notNull().default("GET"),
    url: text().notNull(),
    headers: jsonb().$type<{ name: string; value: string }[]>().notNull().default([]),
    body: text().notNull().default(""),
    timeoutMs: integer().notNull().default(5_000),
    enabled: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("ai_tools_name_key").on(t.name),
    check("ai_tools_name_check", sql`${t.name} ~ '^[a-z][a-z0-9_]{0,63}$'`),
    check("ai_tools_timeout_check", sql`${t.timeoutMs} between 100 and 30000`),
  ],
);

/** The tools a profile's AI replies may call. */
export const profileTools = pgTable(
  "profile_tools",
  {
    profileId: uuid()
      .notNull()
      .references(() => contextProfiles.id, { onDelete: "cascade" }),
    toolId: uuid()
      .notNull()
      .references(() => aiTools.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.toolId] }), index("profile_tools_tool_idx").on(t.toolId)],
);

/**
 * A question of a profile's evaluation set: the facts a good answer must contain, what it must
 * not contain, and whether the bot should hand the question to a person instead.
 */
export const evalQuestions = pgTable(
  "eval_questions",
  {
    id: id(),
    profileId: uuid()
      .notNull()
      .references(() => contextProfiles.id, { onDelete: "cascade" }),
    position: integer().notNull().default(0),
    question: text().notNull(),
    mustContain: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    mustNotContain: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    expectHandoff: boolean().notNull().default(false),
    ...timestamps(),
  },
  (t) => [index("eval_questions_profile_idx").on(t.profileId, t.position)],
);

export const EVAL_RUN_STATUSES = ["running", "done", "failed"] as const;
export type TEvalRunStatus = (typeof EVAL_RUN_STATUSES)[number];

/**
 * One run of a profile's evaluation set: each question answered with the profile and knowledge
 * as they were (`results`, one entry per question with the answer and its checks), and the score.
 */
export const evalRuns = pgTable(
  "eval_runs",
  {
    id: id(),
    profileId: uuid()
      .notNull()
      .references(() => contextProfiles.id, { onDelete: "cascade" }),
    status: text().$type<TEvalRunStatus>().notNull().default("running"),
    total: integer().notNull().default(0),
    passed: integer().notNull().default(0),
    /** Checks met over checks made, 0–1. */
    score: real(),
    results: jsonb().$type<unknown[]>().notNull().default([]),
    error: text(),
    startedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamptz().notNull().defaultNow(),
    finishedAt: timestamptz(),
  },
  (t) => [index("eval_runs_profile_idx").on(t.profileId, t.startedAt)],
);

/** What the model was used for: replies to contacts, passage embeddings, evaluation runs, transcriptions. */
export const AI_USAGE_PURPOSES = ["reply", "embedding", "evaluation", "transcription"] as const;
export type TAiUsagePurpose = (typeof AI_USAGE_PURPOSES)[number];

/**
 * Model use per day (in UTC), profile, model and purpose: calls, tokens and the estimated cost
 * in millionths of a dollar. The daily cap (Settings) is checked against it.
 */
export const aiUsageDaily = pgTable(
  "ai_usage_daily",
  {
    day: date({ mode: "string" }).notNull(),
    /**
     * The profile (null: none). No foreign key: a deleted profile's spending stays in the day's
     * figures under its id (setting it null could collide with the day's "no profile" row).
     */
    profileId: uuid(),
    model: text().notNull(),
    purpose: text().$type<TAiUsagePurpose>().notNull(),
    calls: integer().notNull().default(0),
    promptTokens: bigint({ mode: "number" }).notNull().default(0),
    outputTokens: bigint({ mode: "number" }).notNull().default(0),
    costMicros: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [
    // One row per day, profile (none: the org's default), model and purpose; upserts name this
    // index's expressions in their `on conflict`.
    uniqueIndex("ai_usage_daily_key").on(
      t.day,
      sql`coalesce(${t.profileId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      t.model,
      t.purpose,
    ),
  ],
);
