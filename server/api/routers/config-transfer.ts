import { z } from "zod";
import { exportConfiguration } from "~/server/config-transfer/document";
import { applyImport, planImport } from "~/server/config-transfer/import";
import { createTRPCRouter, requireAccess } from "../trpc";

/** The file as read by the browser: checked by the domain (format, version, every part), never here. */
const ZDocumentInput = z.object({ document: z.unknown() });

export const configTransferRouter = createTRPCRouter({
  /** The bot configuration as one JSON document (the page downloads it as a file). */
  exportConfiguration: requireAccess("config", "read").query(({ ctx }) => exportConfiguration(ctx.db)),
  /** What importing a file would change; writes nothing. Admins only, like the import. */
  planImport: requireAccess("users", "write")
    .input(ZDocumentInput)
    .mutation(({ ctx, input }) => planImport(ctx.db, input.document)),
  /** Imports the file in one transaction, if it still makes the plan the admin reviewed. */
  applyImport: requireAccess("users", "write")
    .input(ZDocumentInput.extend({ planHash: z.string().regex(/^[0-9a-f]{64}$/) }))
    .mutation(async ({ ctx, input }) =>
      applyImport(ctx.db, input.document, ctx.user, {
        expectedPlanHash: input.planHash,
        boss: await ctx.boss(),
        webhooks: ctx.webhooks,
      }),
    ),
});
