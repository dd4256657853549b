import { z } from "zod";
import {
  compareEvalRuns,
  deleteEvalQuestion,
  exportEvalQuestionsCsv,
  importEvalQuestionsCsv,
  MAX_EVAL_CSV_CHARS,
  getEvalRun,
  listEvalQuestions,
  listEvalRuns,
  saveEvalQuestion,
  startEvaluation,
  ZEvalQuestionInput,
  ZEvalRunIds,
} from "~/server/ai/evaluation";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZProfile = z.object({ profileId: z.uuid() });

/** A profile's evaluation set and its runs (server/ai/evaluation.ts). */
export const evaluationRouter = createTRPCRouter({
  questions: requireAccess("config", "read")
    .input(ZProfile)
    .query(({ ctx, input }) => listEvalQuestions(ctx.db, input.profileId)),
  saveQuestion: requireAccess("config", "write")
    .input(ZProfile.extend({ id: z.uuid().nullable(), question: ZEvalQuestionInput }))
    .mutation(({ ctx, input }) => saveEvalQuestion(ctx.db, input)),
  deleteQuestion: requireAccess("config", "write")
    .input(ZProfile.extend({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteEvalQuestion(ctx.db, input)),
  exportCsv: requireAccess("config", "read")
    .input(ZProfile)
    .query(({ ctx, input }) => exportEvalQuestionsCsv(ctx.db, input.profileId)),
  importCsv: requireAccess("config", "write")
    .input(ZProfile.extend({ csv: z.string().max(MAX_EVAL_CSV_CHARS) }))
    .mutation(({ ctx, input }) => importEvalQuestionsCsv(ctx.db, input)),
  runs: requireAccess("config", "read")
    .input(ZProfile)
    .query(({ ctx, input }) => listEvalRuns(ctx.db, input.profileId)),
  run: requireAccess("config", "read")
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => getEvalRun(ctx.db, input.id)),
  start: requireAccess("config", "write")
    .input(ZProfile)
    .mutation(async ({ ctx, input }) => startEvaluation(ctx.db, await ctx.boss(), ctx.user, input.profileId)),
  compare: requireAccess("config", "read")
    .input(ZEvalRunIds)
    .query(({ ctx, input }) => compareEvalRuns(ctx.db, input)),
});
