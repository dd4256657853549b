import { indexSource, queueDueRefreshes } from "~/server/knowledge/indexing";
import type { TJobHandler } from "../runtime";

/** `knowledge.index`: extracts, splits, embeds and stores one source's passages (server/knowledge/indexing.ts). */
export const handleKnowledgeIndex: TJobHandler<"knowledge.index"> = async (
  payload,
  { db, log, ai, webhooks, mediaStore, job },
) => {
  const outcome = await indexSource(
    db,
    { store: mediaStore, gemini: ai.gemini, allowPrivate: webhooks.allowPrivate, log, signal: job.signal },
    payload.sourceId,
    { refresh: payload.refresh ?? false },
  );
  log.info({ sourceId: payload.sourceId, outcome }, "knowledge source indexed");
};

/** `knowledge.refresh` (cron): queues the web pages due for a fetch. */
export const handleKnowledgeRefresh: TJobHandler<"knowledge.refresh"> = async (_payload, { db, boss, log }) => {
  const queued = await queueDueRefreshes(db, boss);
  if (queued > 0) log.info({ queued }, "knowledge pages queued for a refresh");
};
