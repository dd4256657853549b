import { z } from "zod";
import {
  cancelScheduledMessage,
  listScheduledInThread,
  scheduleAgentMessage,
  ZScheduleReplyInput,
} from "~/server/scheduled/scheduled";
import { createTRPCRouter, requireAccess } from "../trpc";

/** Messages an agent schedules in a conversation (server/scheduled/). */
export const scheduledRouter = createTRPCRouter({
  /** The conversation's messages still waiting for their time. */
  list: requireAccess("inbox", "read")
    .input(z.object({ threadId: z.uuid() }))
    .query(({ ctx, input }) => listScheduledInThread(ctx.db, input.threadId)),
  create: requireAccess("inbox", "write")
    .input(ZScheduleReplyInput)
    .mutation(async ({ ctx, input }) => scheduleAgentMessage(ctx.db, await ctx.boss(), ctx.user, input)),
  cancel: requireAccess("inbox", "write")
    .input(z.object({ threadId: z.uuid(), id: z.uuid() }))
    .mutation(({ ctx, input }) => cancelScheduledMessage(ctx.db, input.id, input.threadId)),
});
