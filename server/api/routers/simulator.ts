import { z } from "zod";
import {
  getSimulatorThread,
  listSimulatorConversations,
  resolveSimulatorNumber,
  sendAsContact,
  ZSimulatorFields,
  ZSimulatorSendInput,
} from "~/server/simulator/simulator";
import { dashboardMediaLinks } from "~/server/media/links";
import { createTRPCRouter, requireAccess } from "../trpc";

export const simulatorRouter = createTRPCRouter({
  conversations: requireAccess("inbox", "read").query(({ ctx }) => listSimulatorConversations(ctx.db)),
  thread: requireAccess("inbox", "read")
    .input(z.object({ waId: z.string().min(1).max(40) }))
    .query(({ ctx, input }) => getSimulatorThread(ctx.db, input.waId, { media: dashboardMediaLinks(ctx.appSecret) })),
  /** The number a new Simulator contact writes from, as the server reads it (or why it is refused). A mutation: it is a check of what was typed. */
  checkNumber: requireAccess("inbox", "write")
    .input(ZSimulatorFields.pick({ phone: true }))
    .mutation(async ({ ctx, input }) => ({ waId: await resolveSimulatorNumber(ctx.db, input.phone) })),
  send: requireAccess("inbox", "write")
    .input(ZSimulatorSendInput)
    .mutation(async ({ ctx, input }) => sendAsContact(ctx.db, await ctx.boss(), input)),
});
