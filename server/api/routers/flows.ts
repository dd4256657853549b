import { z } from "zod";
import { localizeProblem } from "~/server/flows/checks";
import { ZFlowDefinition, ZFlowInput } from "~/server/flows/definition";
import {
  checkFlowDefinition,
  createFlow,
  deleteFlow,
  diffFlowVersions,
  duplicateFlow,
  exportFlow,
  getFlow,
  getFlowEditorContext,
  importFlow,
  listFlows,
  listFlowVersions,
  publishFlow,
  restoreFlowVersion,
  setFlowEnabled,
  updateFlow,
  ZFlowDiffInput,
  ZPublishFlowInput,
} from "~/server/flows/flows";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });

export const flowsRouter = createTRPCRouter({
  list: requireAccess("config", "read").query(({ ctx }) => listFlows(ctx.db)),
  get: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => getFlow(ctx.db, input.id)),
  /** Flows and contact fields the editor's pickers offer. */
  editorContext: requireAccess("config", "read").query(({ ctx }) => getFlowEditorContext(ctx.db)),
  /** The checks on a definition as drawn (saved or not), in the reader's language. */
  check: requireAccess("config", "read")
    .input(z.object({ definition: ZFlowDefinition }))
    .mutation(async ({ ctx, input }) =>
      (await checkFlowDefinition(ctx.db, input.definition)).map((found) => localizeProblem(found, ctx.locale)),
    ),
  create: requireAccess("config", "write")
    .input(ZFlowInput)
    .mutation(({ ctx, input }) => createFlow(ctx.db, ctx.user, input)),
  update: requireAccess("config", "write")
    .input(z.object({ id: z.uuid(), flow: ZFlowInput }))
    .mutation(({ ctx, input }) => updateFlow(ctx.db, ctx.user, input.id, input.flow)),
  delete: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteFlow(ctx.db, ctx.user, input.id)),
  duplicate: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => duplicateFlow(ctx.db, ctx.user, input.id)),
  setEnabled: requireAccess("config", "write")
    .input(z.object({ id: z.uuid(), enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setFlowEnabled(ctx.db, ctx.user, input.id, input.enabled)),
  publish: requireAccess("config", "write")
    .input(ZPublishFlowInput)
    .mutation(async ({ ctx, input }) => {
      const published = await publishFlow(ctx.db, ctx.user, input.id, input.note);
      return { ...published, warnings: published.warnings.map((found) => localizeProblem(found, ctx.locale)) };
    }),
  versions: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => listFlowVersions(ctx.db, input.id)),
  diff: requireAccess("config", "read")
    .input(ZFlowDiffInput)
    .query(({ ctx, input }) => diffFlowVersions(ctx.db, input)),
  restore: requireAccess("config", "write")
    .input(z.object({ id: z.uuid(), version: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => restoreFlowVersion(ctx.db, ctx.user, input.id, input.version)),
  export: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => exportFlow(ctx.db, input.id)),
  import: requireAccess("config", "write")
    .input(z.object({ document: z.unknown() }))
    .mutation(({ ctx, input }) => importFlow(ctx.db, ctx.user, input.document)),
});
