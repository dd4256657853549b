import { listStuckMessages } from "~/server/delivery/stuck";
import { listFailedMessages, retryFailedMessage, ZRetryFailedInput } from "~/server/messaging/failed";
import { createTRPCRouter, requireAccess } from "../trpc";

export const outboxRouter = createTRPCRouter({
  failed: requireAccess("inbox", "read").query(({ ctx }) => listFailedMessages(ctx.db)),
  /** Messages stuck now (server/delivery/stuck.ts), with their likely cause and since when. */
  stuck: requireAccess("inbox", "read").query(({ ctx }) => listStuckMessages(ctx.db)),
  retry: requireAccess("inbox", "write")
    .input(ZRetryFailedInput)
    .mutation(async ({ ctx, input }) => retryFailedMessage(ctx.db, await ctx.boss(), ctx.user, input)),
});
