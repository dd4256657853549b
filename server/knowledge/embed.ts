import { GoogleGenAI } from "@google/genai";
import type { TGeminiConfig } from "~/server/ai/models";

/** The embedding model (Gemini's current text embedding model), and the size of its vectors here. */
export const EMBEDDING_MODEL = "gemini-embedding-001";
export const EMBEDDING_DIMENSIONS = 768;
/** Texts per request (the API takes at most 100 in one batch). */
const BATCH = 100;

const clients = new Map<string, GoogleGenAI>();
function clientFor(config: TGeminiConfig): GoogleGenAI {
  const key = `${config.baseUrl ?? ""}|${config.apiKey}`;
  let client = clients.get(key);
  if (!client) {
    client = new GoogleGenAI({
      apiKey: config.apiKey,
      httpOptions: { ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), retryOptions: { attempts: 1 } },
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Embeddings of `texts` through the real `@google/genai` client (`models.embedContent`, in
 * batches of 100): passages as documents, a contact's question as a query, the task type Gemini
 * uses to place both in one space. Each vector is normalised, so a dot product is the cosine.
 * Throws on any failure: callers decide (indexing marks the passages unembedded and goes on;
 * a reply falls back to text search alone).
 */
export async function embedTexts(
  config: TGeminiConfig,
  texts: readonly string[],
  purpose: "document" | "query",
  signal?: AbortSignal,
): Promise<number[][]> {
  const client = clientFor(config);
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += BATCH) {
    const batch = texts.slice(start, start + BATCH);
    const response = await client.models.embedContent({
      model: EMBEDDING_MODEL,
      contents: batch.map((text) => ({ parts: [{ text }] })),
      config: {
        taskType: purpose === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
        outputDimensionality: EMBEDDING_DIMENSIONS,
        ...(signal ? { abortSignal: signal } : {}),
      },
    });
    const got = response.embeddings ?? [];
    if (got.length !== batch.length) {
      throw new Error(`the embedding service returned ${got.length} vectors for ${batch.length} texts`);
    }
    for (const embedding of got) {
      const values = embedding.values ?? [];
      if (values.length === 0) throw new Error("the embedding service returned an empty vector");
      vectors.push(normalised(values));
    }
  }
  return vectors;
}

export function normalised(values: readonly number[]): number[] {
  let sum = 0;
  for (const value of values) sum += value * value;
  const norm = Math.sqrt(sum) || 1;
  return values.map((value) => value / norm);
}
