import { z } from "zod";
import {
  conversationToolCalls,
  deleteTool,
  listProfileTools,
  listTools,
  saveTool,
  setProfileTools,
  setToolProfiles,
  testTool,
  ZToolInput,
  ZToolTestInput,
} from "~/server/ai/tools";
import { loadSecrets } from "~/server/settings/secrets";
import { createTRPCRouter, requireAccess } from "../trpc";

/** The AI's tools (HTTP lookups the model may call), which profiles may call them, and their calls in a conversation. */
export const aiToolsRouter = createTRPCRouter({
  list: requireAccess("config", "read").query(({ ctx }) => listTools(ctx.db)),
  save: requireAccess("config", "write")
    .input(z.object({ id: z.uuid().nullable(), tool: ZToolInput }))
    .mutation(({ ctx, input }) => saveTool(ctx.db, ctx.user, input.id, input.tool)),
  delete: requireAccess("config", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteTool(ctx.db, ctx.user, input.id)),
  setProfiles: requireAccess("config", "write")
    .input(z.object({ toolId: z.uuid(), profileIds: z.array(z.uuid()).max(500) }))
    .mutation(({ ctx, input }) => setToolProfiles(ctx.db, ctx.user, input.toolId, input.profileIds)),
  ofProfile: requireAccess("config", "read")
    .input(z.object({ profileId: z.uuid() }))
    .query(({ ctx, input }) => listProfileTools(ctx.db, input.profileId)),
  setOfProfile: requireAccess("config", "write")
    .input(z.object({ profileId: z.uuid(), toolIds: z.array(z.uuid()).max(500) }))
    .mutation(({ ctx, input }) => setProfileTools(ctx.db, ctx.user, input.profileId, input.toolIds)),
  /** Runs the tool as edited with sample arguments and shows the request and the answer (no model). */
  test: requireAccess("config", "write")
    .input(ZToolTestInput)
    .mutation(({ ctx, input }) =>
      testTool(input, {
        allowPrivate: ctx.webhooks.allowPrivate,
        loadSecrets: (names) => loadSecrets(ctx.db, names, ctx.appSecret),
      }),
    ),
  /** The tool calls of the conversation's AI replies, newest first, for the Inbox's trace. */
  ofConversation: requireAccess("inbox", "read")
    .input(z.object({ threadId: z.uuid() }))
    .query(({ ctx, input }) => conversationToolCalls(ctx.db, input.threadId)),
});
