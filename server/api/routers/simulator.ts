import { z } from "zod";
import { getWebBoss } from "~/server/jobs/web-boss";
import {
  getSimulatorThread,
  listSimulatorConversations,
  sendAsContact,
  ZSimulatorSendInput,
} from "~/server/simulator/simulator";
import { createTRPCRouter, requireAccess } from "../trpc";

export const simulatorRouter = createTRPCRouter({
  conversations: requireAccess("inbox", "read").query(({ ctx }) => listSimulatorConversations(ctx.db)),
  thread: requireAccess("inbox", "read")
    .input(z.object({ waId: z.string().min(1).max(40) }))
    .query(({ ctx, input }) => getSimulatorThread(ctx.db, input.waId)),
  send: requireAccess("inbox", "write")
    .input(ZSimulatorSendInput)
    .mutation(async ({ ctx, input }) => sendAsContact(ctx.db, await getWebBoss(), input)),
});
