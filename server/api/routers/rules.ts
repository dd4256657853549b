import { z } from "zod";
import { checkRuleset } from "~/server/rules/checks";
import { dryRunDraft, replayDraft, ZDryRunInput, ZReplayInput } from "~/server/rules/dry-run";
import { FACTS } from "~/server/rules/facts";
import { OPERATORS } from "~/server/rules/operators";
import {
  createRule,
  deleteRule,
  diffDraft,
  diffVersion,
  exportDraft,
  getVersion,
  importDraft,
  listDraftRules,
  listVersions,
  publishDraft,
  reorderRules,
  restoreVersion,
  updateRule,
  ZPublishInput,
  ZReorderInput,
} from "~/server/rules/rules";
import { ZRuleInput } from "~/server/rules/schema";
import { listSendOptions } from "~/server/rules/send-options";
import { TEMPLATE_VARIABLES } from "~/server/rules/templates";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });
const ZVersion = z.object({ version: z.number().int().min(1) });

export const rulesRouter = createTRPCRouter({
  /** The facts, operators and template variables the editor offers (with their documentation). */
  catalog: requireAccess("config", "read").query(() => ({
    facts: Object.entries(FACTS).map(([name, fact]) => ({ name, ...fact })),
    operators: Object.entries(OPERATORS).map(([name, operator]) => ({
      name,
      label: operator.label,
      types: operator.types,
    })),
    variables: Object.entries(TEMPLATE_VARIABLES).map(([name, description]) => ({ name, description })),
  })),
  list: requireAccess("config", "read").query(({ ctx }) => listDraftRules(ctx.db)),
  /** Where a choice shows as buttons (engines with `buttons`), and the templates rules may send, by number. */
  sendOptions: requireAccess("config", "read").query(({ ctx }) => listSendOptions(ctx.db)),
  /** Warnings on the draft before publishing: rules that can never fire, duplicates. */
  checks: requireAccess("config", "read").query(async ({ ctx }) => checkRuleset(await listDraftRules(ctx.db))),
  create: requireAccess("config", "write")
    .input(ZRuleInput)
    .mutation(({ ctx, input }) => createRule(ctx.db, ctx.user, input)),
  update: requireAccess("config", "write")
    .input(z.object({ id: z.uuid(), rule: ZRuleInput }))
    .mutation(({ ctx, input }) => updateRule(ctx.db, ctx.user, input.id, input.rule)),
  delete: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteRule(ctx.db, ctx.user, input.id)),
  reorder: requireAccess("config", "write")
    .input(ZReorderInput)
    .mutation(({ ctx, input }) => reorderRules(ctx.db, ctx.user, input)),
  test: requireAccess("config", "read")
    .input(ZDryRunInput)
    .mutation(({ ctx, input }) => dryRunDraft(ctx.db, input)),
  replay: requireAccess("config", "read")
    .input(ZReplayInput)
    .mutation(({ ctx, input }) => replayDraft(ctx.db, input)),
  publish: requireAccess("config", "write")
    .input(ZPublishInput)
    .mutation(({ ctx, input }) => publishDraft(ctx.db, ctx.user, input)),
  /** What publishing now would change: rules added, removed and edited since the published version. */
  draftChanges: requireAccess("config", "read").query(({ ctx }) => diffDraft(ctx.db)),
  versions: requireAccess("config", "read").query(({ ctx }) => listVersions(ctx.db)),
  version: requireAccess("config", "read")
    .input(ZVersion)
    .query(async ({ ctx, input }) => ({
      rules: await getVersion(ctx.db, input.version),
      diff: await diffVersion(ctx.db, input.version),
    })),
  restore: requireAccess("config", "write")
    .input(ZVersion)
    .mutation(({ ctx, input }) => restoreVersion(ctx.db, ctx.user, input.version)),
  export: requireAccess("config", "read").query(({ ctx }) => exportDraft(ctx.db)),
  import: requireAccess("config", "write")
    .input(z.object({ document: z.unknown() }))
    .mutation(({ ctx, input }) => importDraft(ctx.db, ctx.user, input.document)),
});
