import { replyAnswerer, runEvaluation } from "~/server/ai/evaluation";
import type { TJobHandler } from "../runtime";

/** `ai.evaluate`: answers and scores one evaluation run's questions (server/ai/evaluation.ts). */
export const handleEvaluate: TJobHandler<"ai.evaluate"> = async (payload, { db, log, ai }) => {
  const outcome = await runEvaluation(db, replyAnswerer(db, ai), payload.runId);
  log.debug({ runId: payload.runId, outcome }, "evaluation run");
};
