import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey, ZApiKeyInput } from "~/server/rest/api-keys";
import { createTRPCRouter, requireAccess } from "../trpc";

export const apiKeysRouter = createTRPCRouter({
  list: requireAccess("users", "read").query(({ ctx }) => listApiKeys(ctx.db)),
  create: requireAccess("users", "write")
    .input(ZApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.user, input)),
  revoke: requireAccess("users", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.user, input.id)),
});
