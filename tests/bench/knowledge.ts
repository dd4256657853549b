import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { retrievePassages } from "~/server/knowledge/search";
import { distractorPassages, GOLD_PASSAGES, GOLD_QUESTIONS, type TCorpusPassage } from "../support/knowledge-corpus";
import { withBenchDatabase } from "./database";
import { note, percentile, report } from "./report";

const BENCH = "knowledge";
const PASSAGES = Number(process.env.BENCH_KNOWLEDGE_PASSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_KNOWLEDGE_ROUNDS ?? 5);

/**
 * A collection (English) of `PASSAGES` passages: the bakery's documents and distractors in the
 * same vocabulary (tests/support/knowledge-corpus.ts), a source per hundred passages, inserted as
 * the indexing job leaves them (the text search vector is the table's generated column).
 */
export async function seedKnowledgeCorpus(db: TDb, total: number, name = "Bench corpus") {
  const passages: TCorpusPassage[] = [
    ...GOLD_PASSAGES,
    ...distractorPassages(Math.max(0, total - GOLD_PASSAGES.length)),
  ];
  const collection = await db.execute<{ id: string }>(
    sql`insert into knowledge_collections (name, language) values (${name}, 'english') returning id`,
  );
  const collectionId = collection.rows[0]!.id;
  const keys = new Map<string, string>();
  for (let start = 0; start < passages.length; start += 100) {
    const chunk = passages.slice(start, start + 100);
    const source = await db.execute<{ id: string }>(sql`
      insert into knowledge_sources (collection_id, kind, title, status, passage_count, indexed_at)
      values (${collectionId}, 'text', ${`Documents ${start / 100 + 1}`}, 'indexed', ${chunk.length}, now())
      returning id`);
    const rows = await db.execute<{ id: string; position: number }>(sql`
      insert into knowledge_passages (source_id, collection_id, position, title, body, language)
      select ${source.rows[0]!.id}, ${collectionId}, p.position, p.title, p.body, 'english'
      from jsonb_to_recordset(${JSON.stringify(chunk.map((passage, position) => ({ ...passage, position })))}::jsonb)
        as p(position int, title text, body text)
      returning id, position`);
    for (const row of rows.rows) keys.set(row.id, chunk[row.position]!.key);
  }
  await db.execute(sql`analyze knowledge_passages`);
  return { collectionId, keyOf: (id: string) => keys.get(id) };
}

/**
 * `npm run bench -- knowledge`: retrieval over 10,000 passages with text search alone (no model):
 * the p95 time of `retrievePassages` for the question set (`kb_retrieval_p95_ms`, target ≤ 30),
 * and how often the passage that answers a question is among the first three
 * (`kb_recall_at_3`, target ≥ 0.9).
 */
export async function runKnowledgeBench() {
  await withBenchDatabase(async ({ db }) => {
    note(`${BENCH}: seeding ${PASSAGES} passages`);
    const { collectionId, keyOf } = await seedKnowledgeCorpus(db, PASSAGES);
    let found = 0;
    const misses: string[] = [];
    for (const { question, key } of GOLD_QUESTIONS) {
      const { passages } = await retrievePassages(db, [collectionId], question, { limit: 3 });
      if (passages.some((passage) => keyOf(passage.id) === key)) found += 1;
      else misses.push(`${question} → ${passages.map((passage) => keyOf(passage.id)).join(", ") || "nothing"}`);
    }
    for (const miss of misses) note(`${BENCH}: missed: ${miss}`);
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const { question } of GOLD_QUESTIONS) {
        const start = performance.now();
        await retrievePassages(db, [collectionId], question, { limit: 3 });
        samples.push(performance.now() - start);
      }
    }
    samples.sort((a, b) => a - b);
    report(BENCH, "kb_retrieval_p95_ms", percentile(samples, 95), { passages: PASSAGES, samples: samples.length });
    report(BENCH, "kb_retrieval_p50_ms", percentile(samples, 50));
    report(BENCH, "kb_recall_at_3", found / GOLD_QUESTIONS.length, { questions: GOLD_QUESTIONS.length });
  });
}
