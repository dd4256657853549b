import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import type { TSearchLanguage } from "~/db/schema";

/** A passage found for a question, with where it comes from and why it ranked. */
export type TRetrievedPassage = {
  id: string;
  sourceId: string;
  collectionId: string;
  /** "<source title> › <section>" as the splitter wrote it. */
  title: string;
  body: string;
  source: { title: string; kind: string; fileName: string | null; url: string | null };
  /** The fused rank score (reciprocal rank fusion of the text and vector rankings). */
  score: number;
  /** Its place in the text ranking and the vector ranking (1-based; null: not ranked there). */
  textRank: number | null;
  vectorRank: number | null;
  /** The question's words (lexemes) this passage contains, of how many the question has. */
  matchedTerms: number;
  queryTerms: number;
  /** Cosine similarity to the question (null: no embeddings compared). */
  similarity: number | null;
};

export type TRetrieval = {
  passages: TRetrievedPassage[];
  /** Whether any passage is relevant enough to answer from (see `isRelevant`). */
  relevant: boolean;
  /** "text": full-text search alone; "hybrid": fused with embeddings. */
  mode: "text" | "hybrid";
  /** Why the vector side was not used, when it was not (no embeddings, the call failed…). */
  vectorSkipped: string | null;
};

export type TRetrievalOptions = {
  /** Passages to return (default 4). */
  limit?: number;
  /** The question's embedding, when Gemini is configured and the call succeeded. */
  queryEmbedding?: number[] | null;
  /** Candidates each ranking contributes to the fusion (default 40). */
  candidates?: number;
};

/** Reciprocal rank fusion's constant: how much a top rank outweighs a lower one. */
const RRF_K = 60;
/** A passage is relevant when it holds at least this share of the question's words… */
const MIN_TERM_COVERAGE = 0.5;
/** …or its embedding is at least this close to the question's. */
const MIN_SIMILARITY = 0.75;
/** Lexemes that can be written as a quoted tsquery literal as they are (no quote, no backslash). */
const PLAIN_LEXEME = /^[^'\\]+$/;

/**
 * The passages of `collectionIds` that answer `question` best. Full-text search works on any
 * Postgres (embedded included): the question is turned into lexemes with each collection's own
 * language (stemming, stop words), any of them may match (an OR query, so "how much is the large
 * cake" finds "Large cake — 45 EUR" although "much" is not in it), ranked by cover density with
 * the title weighted above the body and by how many of the question's words a passage holds.
 * With the question's embedding, the passages' stored embeddings are ranked by cosine too, and
 * both rankings are fused (reciprocal rank fusion), so a passage that says the same in other
 * words still surfaces. Two statements at most: the text ranking, then the vector ranking over
 * the collections' embeddings (compared in this process, cached per collection).
 */
export async function retrievePassages(
  db: TDbOrTx,
  collectionIds: readonly string[],
  question: string,
  options: TRetrievalOptions = {},
): Promise<TRetrieval> {
  const limit = options.limit ?? 4;
  const candidates = options.candidates ?? 40;
  const text = question.trim().slice(0, 2_000);
  if (collectionIds.length === 0 || !text) {
    return { passages: [], relevant: false, mode: "text", vectorSkipped: null };
  }
  const textRanked = await textRanking(db, collectionIds, text, candidates);
  let vectorRanked: { id: string; similarity: number }[] = [];
  let vectorSkipped: string | null = null;
  if (options.queryEmbedding?.length) {
    vectorRanked = await vectorRanking(db, collectionIds, options.queryEmbedding, candidates);
    if (vectorRanked.length === 0) vectorSkipped = "no passage of these collections has an embedding yet";
  } else {
    vectorSkipped = options.queryEmbedding === null ? "the question could not be embedded" : "embeddings are off";
  }

  const fused = new Map<
    string,
    { score: number; textRank: number | null; vectorRank: number | null; similarity: number | null }
  >();
  textRanked.forEach((row, index) => {
    fused.set(row.id, { score: 1 / (RRF_K + index + 1), textRank: index + 1, vectorRank: null, similarity: null });
  });
  vectorRanked.forEach((row, index) => {
    const entry = fused.get(row.id) ?? { score: 0, textRank: null, vectorRank: null, similarity: null };
    entry.score += 1 / (RRF_K + index + 1);
    entry.vectorRank = index + 1;
    entry.similarity = row.similarity;
    fused.set(row.id, entry);
  });
  const chosen = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  if (chosen.length === 0) {
    return { passages: [], relevant: false, mode: vectorRanked.length ? "hybrid" : "text", vectorSkipped };
  }
  const details = await passageDetails(
    db,
    chosen.map(([id]) => id),
    text,
  );
  const passages: TRetrievedPassage[] = chosen.flatMap(([id, rank]) => {
    const row = details.get(id);
    return row ? [{ ...row, ...rank }] : [];
  });
  return {
    passages,
    relevant: passages.some(isRelevant),
    mode: vectorRanked.length ? "hybrid" : "text",
    vectorSkipped,
  };
}

/** Whether a passage answers the question well enough for "answer only from the knowledge base". */
export function isRelevant(passage: Pick<TRetrievedPassage, "matchedTerms" | "queryTerms" | "similarity">): boolean {
  if (passage.similarity !== null && passage.similarity >= MIN_SIMILARITY) return true;
  if (passage.queryTerms === 0) return false;
  return passage.matchedTerms >= Math.max(1, Math.ceil(passage.queryTerms * MIN_TERM_COVERAGE));
}

async function textRanking(db: TDbOrTx, collectionIds: readonly string[], text: string, candidates: number) {
  // The question's lexemes per language (to_tsvector: the language's stemming and stop words);
  // only plain ones become query terms, so no input can break the tsquery syntax.
  const lexemes = await db.execute<{ language: TSearchLanguage; lexemes: string[] }>(sql`
    select l.language::text as language,
      coalesce(array(select lexeme from unnest(to_tsvector(l.language, ${text}))), '{}') as lexemes
    from (select distinct language from knowledge_collections where id = any(${pgUuids(collectionIds)})) l`);
  const queries = lexemes.rows.flatMap((row) => {
    const terms = row.lexemes.filter((lexeme) => PLAIN_LEXEME.test(lexeme));
    return terms.length ? [{ language: row.language, query: terms.map((term) => `'${term}'`).join(" | ") }] : [];
  });
  if (queries.length === 0) return [];
  const matches = sql.join(
    queries.map((query) => sql`(p.language = ${query.language}::regconfig and p.search @@ ${query.query}::tsquery)`),
    sql` or `,
  );
  const rank = sql.join(
    queries.map(
      (query) =>
        sql`case when p.language = ${query.language}::regconfig then ts_rank_cd('{0.1, 0.2, 0.6, 1.0}', p.search, ${query.query}::tsquery, 1) else 0 end`,
    ),
    sql` + `,
  );
  const result = await db.execute<{ id: string }>(sql`
    select p.id from knowledge_passages p
    where p.collection_id = any(${pgUuids(collectionIds)}) and (${matches})
    order by ${rank} desc, p.id
    limit ${candidates}`);
  return result.rows;
}

function pgUuids(ids: readonly string[]) {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

/** Embeddings of a collection, kept in this process until its passages change. */
type TVectorCache = { stamp: string; ids: string[]; vectors: Float32Array; dimensions: number };
const vectorCaches = new Map<string, TVectorCache>();
const MAX_CACHED_COLLECTIONS = 32;

async function vectorRanking(
  db: TDbOrTx,
  collectionIds: readonly string[],
  query: readonly number[],
  candidates: number,
): Promise<{ id: string; similarity: number }[]> {
  // What each collection's embedded passages are now: a changed count or newest row reloads it.
  const stamps = await db.execute<{ collection_id: string; stamp: string }>(sql`
    select collection_id, count(*) || ':' || max(created_at)::text || ':' || max(id::text) as stamp
    from knowledge_passages
    where collection_id = any(${pgUuids(collectionIds)}) and embedding is not null
    group by collection_id`);
  const best: { id: string; similarity: number }[] = [];
  for (const { collection_id: collectionId, stamp } of stamps.rows) {
    let cache = vectorCaches.get(collectionId);
    if (!cache || cache.stamp !== stamp) {
      cache = await loadVectors(db, collectionId, stamp);
      if (vectorCaches.size >= MAX_CACHED_COLLECTIONS) vectorCaches.delete(vectorCaches.keys().next().value!);
      vectorCaches.set(collectionId, cache);
    }
    if (cache.dimensions !== query.length) continue; // embedded by another model: not comparable
    const { vectors, dimensions, ids } = cache;
    for (let row = 0; row < ids.length; row++) {
      let dot = 0;
      const offset = row * dimensions;
      for (let i = 0; i < dimensions; i++) dot += vectors[offset + i]! * query[i]!;
      best.push({ id: ids[row]!, similarity: dot });
    }
  }
  return best.sort((a, b) => b.similarity - a.similarity).slice(0, candidates);
}

async function loadVectors(db: TDbOrTx, collectionId: string, stamp: string): Promise<TVectorCache> {
  const rows = await db.execute<{ id: string; embedding: number[] }>(sql`
    select id, embedding from knowledge_passages
    where collection_id = ${collectionId} and embedding is not null
    order by id`);
  const dimensions = rows.rows[0]?.embedding.length ?? 0;
  const kept = rows.rows.filter((row) => row.embedding.length === dimensions);
  const vectors = new Float32Array(kept.length * dimensions);
  kept.forEach((row, index) => vectors.set(row.embedding, index * dimensions));
  return { stamp, ids: kept.map((row) => row.id), vectors, dimensions };
}

/** The chosen passages' text and source, and how many of the question's lexemes each holds. */
async function passageDetails(db: TDbOrTx, ids: readonly string[], text: string) {
  const result = await db.execute<{
    id: string;
    source_id: string;
    collection_id: string;
    title: string;
    body: string;
    source_title: string;
    kind: string;
    file_name: string | null;
    url: string | null;
    matched: number;
    terms: number;
  }>(sql`
    select p.id, p.source_id, p.collection_id, p.title, p.body,
      s.title as source_title, s.kind::text as kind, s.file_name, s.url,
      (select count(*) from unnest(q.lexemes) lexeme where p.search @@ quote_literal(lexeme)::tsquery)::int as matched,
      coalesce(array_length(q.lexemes, 1), 0) as terms
    from knowledge_passages p
    join knowledge_sources s on s.id = p.source_id
    cross join lateral (
      -- Lexemes with a quote or backslash are left out, as in the text ranking's query.
      select array(
        select lexeme from unnest(to_tsvector(p.language, ${text}))
        where strpos(lexeme, chr(39)) = 0 and strpos(lexeme, chr(92)) = 0
      ) as lexemes
    ) q
    where p.id = any(${pgUuids(ids)})`);
  return new Map(
    result.rows.map((row) => [
      row.id,
      {
        id: row.id,
        sourceId: row.source_id,
        collectionId: row.collection_id,
        title: row.title,
        body: row.body,
        source: { title: row.source_title, kind: row.kind, fileName: row.file_name, url: row.url },
        matchedTerms: row.matched,
        queryTerms: row.terms,
      },
    ]),
  );
}
