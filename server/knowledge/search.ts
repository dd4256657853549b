import { sql, type SQL } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";

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
  /**
   * The question's embedding, when Gemini is configured: undefined when embeddings are off,
   * null when the call failed (retrieval goes on with text search alone).
   */
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
/** Terms of one question taken into account. */
const MAX_TERMS = 16;
/**
 * Candidates are the passages holding one of the question's rarest terms, taken until their
 * passages add up to this many: enough that every passage holding the discriminating words is
 * scored, few enough that scoring stays a few milliseconds with 10,000 passages.
 */
const CANDIDATE_BUDGET = 1_500;
/** A term in a passage's title counts this much more than in its body. */
const TITLE_BOOST = 0.5;

/**
 * The passages of `collectionIds` that answer `question` best. Full-text search works on any
 * Postgres (embedded included), in two statements:
 * 1. the question's lexemes in each collection's language (`to_tsvector`: stemming, stop
 *    words), and a stamp of each collection's passages;
 * 2. the ranking: every passage holding one of the question's rarer terms is scored by the
 *    terms it holds, each weighted by its inverse document frequency in the collections (BM25's
 *    idf, so "cake" in 3,000 passages counts little and "Belém" in one counts a lot), a term in
 *    the title counting more; ties go to cover density (`ts_rank_cd`). The document
 *    frequencies come from `ts_stat`, kept in this process per collection until its passages
 *    change (the stamp).
 * With the question's embedding, the passages' stored embeddings are ranked by cosine too (in
 * this process, cached the same way) and both rankings are fused (reciprocal rank fusion), so a
 * passage that says the same in other words still surfaces; a third statement then reads the
 * chosen passages the text ranking did not return.
 */
export async function retrievePassages(
  db: TDbOrTx,
  collectionIds: readonly string[],
  question: string,
  options: TRetrievalOptions = {},
): Promise<TRetrieval> {
  const limit = options.limit ?? 4;
  const hybrid = Boolean(options.queryEmbedding?.length);
  const candidates = hybrid ? (options.candidates ?? 40) : limit;
  const text = question.trim().slice(0, 2_000);
  const ids = collectionIds.filter(isUuid);
  if (ids.length === 0 || !text) return { passages: [], relevant: false, mode: "text", vectorSkipped: null };

  const collections = await collectionsFor(db, ids, text, hybrid);
  const terms = await weightedTerms(db, collections);
  const textRanked = await textRanking(db, ids, terms, candidates);

  let vectorRanked: { id: string; similarity: number }[] = [];
  let vectorSkipped: string | null = null;
  if (hybrid) {
    vectorRanked = await vectorRanking(db, collections, options.queryEmbedding!, candidates);
    if (vectorRanked.length === 0) vectorSkipped = "no passage of these collections has a comparable embedding";
  } else {
    vectorSkipped = options.queryEmbedding === null ? "the question could not be embedded" : "embeddings are off";
  }

  type TRank = { score: number; textRank: number | null; vectorRank: number | null; similarity: number | null };
  const fused = new Map<string, TRank>();
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
  const known = new Map(textRanked.map((row) => [row.id, row]));
  const missing = chosen.map(([id]) => id).filter((id) => !known.has(id));
  if (missing.length > 0) {
    for (const row of await passageRows(db, missing, terms)) known.set(row.id, row);
  }
  const queryTerms = terms.reduce((most, language) => Math.max(most, language.all), 0);
  const passages: TRetrievedPassage[] = chosen.flatMap(([id, rank]) => {
    const row = known.get(id);
    if (!row) return [];
    const { matched, ...passage } = row;
    return [{ ...passage, ...rank, matchedTerms: matched, queryTerms }];
  });
  return { passages, relevant: passages.some(isRelevant), mode: hybrid ? "hybrid" : "text", vectorSkipped };
}

/** Whether a passage answers the question well enough for "answer only from the knowledge base". */
export function isRelevant(passage: Pick<TRetrievedPassage, "matchedTerms" | "queryTerms" | "similarity">): boolean {
  if (passage.similarity !== null && passage.similarity >= MIN_SIMILARITY) return true;
  if (passage.queryTerms === 0) return false;
  return passage.matchedTerms >= Math.max(1, Math.ceil(passage.queryTerms * MIN_TERM_COVERAGE));
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function uuidArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

type TCollectionStamp = {
  id: string;
  language: string;
  /** Changes whenever the collection's passages do (count and newest row). */
  stamp: string;
  /** The same for its embedded passages (only read for hybrid retrieval). */
  vectorStamp: string | null;
  /** The question's lexemes in the collection's language. */
  lexemes: string[];
};

/** Statement 1: each collection's language, stamps, and the question's lexemes in its language. */
async function collectionsFor(db: TDbOrTx, ids: readonly string[], text: string, hybrid: boolean) {
  const result = await db.execute<TCollectionStamp>(sql`
    select c.id, c.language::text as language,
      (select count(*) || ':' || coalesce(max(p.created_at)::text, '')
        from knowledge_passages p where p.collection_id = c.id) as stamp,
      ${
        hybrid
          ? sql`(select count(*) || ':' || coalesce(max(p.created_at)::text, '')
              from knowledge_passages p where p.collection_id = c.id and p.embedding is not null)`
          : sql`null::text`
      } as "vectorStamp",
      -- Lexemes with a quote or backslash are left out: the rest is written as tsquery literals.
      array(
        select lexeme from unnest(to_tsvector(c.language, ${text}))
        where strpos(lexeme, chr(39)) = 0 and strpos(lexeme, chr(92)) = 0
      ) as lexemes
    from knowledge_collections c
    where c.id = any(${uuidArray(ids)})`);
  return result.rows;
}

/** Document frequencies of a collection's lexemes (`ts_stat`), kept until its passages change. */
type TTermStats = { stamp: string; passages: number; frequency: Map<string, number> };
const termStats = new Map<string, TTermStats>();
const MAX_CACHED_COLLECTIONS = 64;

async function statsFor(db: TDbOrTx, collection: TCollectionStamp): Promise<TTermStats> {
  const cached = termStats.get(collection.id);
  if (cached?.stamp === collection.stamp) return cached;
  // ts_stat takes its query as text: the id is a checked UUID, so it is safe to write inline.
  const inner = `select search from knowledge_passages where collection_id = '${collection.id}'`;
  const rows = await db.execute<{ word: string; ndoc: number }>(sql`select word, ndoc from ts_stat(${inner})`);
  const stats: TTermStats = {
    stamp: collection.stamp,
    passages: Number(collection.stamp.split(":")[0]),
    frequency: new Map(rows.rows.map((row) => [row.word, Number(row.ndoc)])),
  };
  if (termStats.size >= MAX_CACHED_COLLECTIONS) termStats.delete(termStats.keys().next().value!);
  termStats.set(collection.id, stats);
  return stats;
}

/** The question's terms for one language: each with its weight, rarest first. */
type TLanguageTerms = {
  language: string;
  terms: { lexeme: string; weight: number; frequency: number }[];
  /** How many terms the question has in this language (those found nowhere included). */
  all: number;
};

/**
 * The question's terms per language, weighted by BM25's inverse document frequency over the
 * collections of that language: ln(1 + (N − n + 0.5) / (n + 0.5)). Terms no passage holds are
 * counted (they make the question less covered) but not searched.
 */
async function weightedTerms(db: TDbOrTx, collections: readonly TCollectionStamp[]): Promise<TLanguageTerms[]> {
  const byLanguage = new Map<string, TCollectionStamp[]>();
  for (const collection of collections) {
    byLanguage.set(collection.language, [...(byLanguage.get(collection.language) ?? []), collection]);
  }
  const result: TLanguageTerms[] = [];
  for (const [language, group] of byLanguage) {
    const stats = await Promise.all(group.map((collection) => statsFor(db, collection)));
    const total = stats.reduce((sum, stat) => sum + stat.passages, 0);
    const lexemes = [...new Set(group[0]!.lexemes)].slice(0, MAX_TERMS);
    const terms = lexemes
      .map((lexeme) => {
        const frequency = stats.reduce((sum, stat) => sum + (stat.frequency.get(lexeme) ?? 0), 0);
        return { lexeme, frequency, weight: Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)) };
      })
      .filter((term) => term.frequency > 0)
      .sort((a, b) => a.frequency - b.frequency);
    result.push({ language, terms, all: lexemes.length });
  }
  return result;
}

type TTextRow = Omit<
  TRetrievedPassage,
  "score" | "textRank" | "vectorRank" | "similarity" | "matchedTerms" | "queryTerms"
> & { matched: number };

const tsquery = (lexeme: string, weights = "") => sql`${`'${lexeme}'${weights}`}::tsquery`;

/** Per passage: the idf-weighted sum of the terms it holds (title boosted), and how many it holds. */
function scoring(terms: readonly TLanguageTerms[]) {
  const score = sql.join(
    terms.flatMap((language) =>
      language.terms.map(
        (term) =>
          sql`(case when p.language = ${language.language}::regconfig and p.search @@ ${tsquery(term.lexeme)}
            then ${term.weight}::float8 * (1 + ${TITLE_BOOST}::float8 * (p.search @@ ${tsquery(term.lexeme, ":A")})::int)
            else 0 end)`,
      ),
    ),
    sql` + `,
  );
  const matched = sql.join(
    terms.flatMap((language) =>
      language.terms.map(
        (term) => sql`(p.language = ${language.language}::regconfig and p.search @@ ${tsquery(term.lexeme)})::int`,
      ),
    ),
    sql` + `,
  );
  const anyTerm = sql.join(
    terms.flatMap((language) =>
      language.terms.length
        ? [
            sql`p.language = ${language.language}::regconfig and p.search @@ ${language.terms.map((term) => `'${term.lexeme}'`).join(" | ")}::tsquery`,
          ]
        : [],
    ),
    sql` or `,
  );
  return { score, matched, anyTerm };
}

const rowColumns = sql`p.id, p.source_id as "sourceId", p.collection_id as "collectionId", p.title, p.body,
  json_build_object('title', s.title, 'kind', s.kind, 'fileName', s.file_name, 'url', s.url) as source`;

/**
 * Statement 2: the text ranking. Candidates hold one of the rarest terms (until their passages
 * add up to CANDIDATE_BUDGET), found through the GIN index; they are scored with every term.
 */
async function textRanking(
  db: TDbOrTx,
  ids: readonly string[],
  terms: readonly TLanguageTerms[],
  candidates: number,
): Promise<TTextRow[]> {
  if (terms.every((language) => language.terms.length === 0)) return [];
  const selective = terms.map((language) => {
    const kept: TLanguageTerms["terms"] = [];
    let passages = 0;
    for (const term of language.terms) {
      if (kept.length > 0 && passages + term.frequency > CANDIDATE_BUDGET) break;
      kept.push(term);
      passages += term.frequency;
    }
    return { ...language, terms: kept };
  });
  const { anyTerm } = scoring(selective);
  const { score, matched } = scoring(terms);
  const allTerms = terms.flatMap((language) => language.terms.map((term) => `'${term.lexeme}'`)).join(" | ");
  const result = await db.execute<TTextRow>(sql`
    select ${rowColumns}, ${matched} as matched
    from knowledge_passages p
    join knowledge_sources s on s.id = p.source_id
    where p.collection_id = any(${uuidArray(ids)}) and (${anyTerm})
    order by ${score} desc, ts_rank_cd('{0.1, 0.2, 0.6, 1.0}', p.search, ${allTerms}::tsquery, 1) desc, p.id
    limit ${candidates}`);
  return result.rows.map((row) => ({ ...row, matched: Number(row.matched) }));
}

/** The passages the vector ranking chose that the text ranking did not return. */
async function passageRows(db: TDbOrTx, ids: readonly string[], terms: readonly TLanguageTerms[]) {
  const { matched } = scoring(terms);
  const result = await db.execute<TTextRow>(sql`
    select ${rowColumns}, ${terms.some((language) => language.terms.length) ? matched : sql`0`} as matched
    from knowledge_passages p
    join knowledge_sources s on s.id = p.source_id
    where p.id = any(${uuidArray(ids)})`);
  return result.rows.map((row) => ({ ...row, matched: Number(row.matched) }));
}

/** Embeddings of a collection, kept in this process until its embedded passages change. */
type TVectorCache = { stamp: string; ids: string[]; vectors: Float32Array; dimensions: number };
const vectorCaches = new Map<string, TVectorCache>();

async function vectorRanking(
  db: TDbOrTx,
  collections: readonly TCollectionStamp[],
  query: readonly number[],
  candidates: number,
): Promise<{ id: string; similarity: number }[]> {
  const best: { id: string; similarity: number }[] = [];
  for (const collection of collections) {
    if (!collection.vectorStamp || collection.vectorStamp.startsWith("0:")) continue;
    let cache = vectorCaches.get(collection.id);
    if (cache?.stamp !== collection.vectorStamp) {
      cache = await loadVectors(db, collection.id, collection.vectorStamp);
      if (vectorCaches.size >= MAX_CACHED_COLLECTIONS) vectorCaches.delete(vectorCaches.keys().next().value!);
      vectorCaches.set(collection.id, cache);
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
