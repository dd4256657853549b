import { eraseContact, ZEraseContactInput } from "~/server/data-rights/erase";
import { createTRPCRouter, requireAccess } from "../trpc";

/**
 * A contact's data rights (docs/data-rights.md). Erasure is the admin's (the `users` area's
 * write, as settings and API keys): it cannot be undone, and it is audited. The export is a
 * download, GET /api/contacts/<id>/data-export, with the same rule.
 */
export const dataRightsRouter = createTRPCRouter({
  erase: requireAccess("users", "write")
    .input(ZEraseContactInput)
    // The worker removes the files (a `media.erased` job committed with the erasure).
    .mutation(async ({ ctx, input }) => eraseContact(ctx.db, ctx.user, input, { store: null, boss: await ctx.boss() })),
});
