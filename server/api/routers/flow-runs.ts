import { z } from "zod";
import { flowAnalytics, listAnalyticsFlows, ZFlowAnalyticsInput } from "~/server/flows/analytics";
import { testFlowStep, ZFlowTestInput } from "~/server/flows/test-run";
import { conversationFlows } from "~/server/flows/trace";
import { loadSecrets } from "~/server/settings/secrets";
import { createTRPCRouter, requireAccess } from "../trpc";

/** Flows as they run: the editor's test panel, a conversation's trace in the Inbox, flow analytics. */
export const flowRunsRouter = createTRPCRouter({
  /** One input of a test of the flow's draft (nothing is written). Builders and admins. */
  test: requireAccess("config", "write")
    .input(ZFlowTestInput)
    .mutation(({ ctx, input }) =>
      testFlowStep(ctx.db, input, {
        allowPrivate: ctx.webhooks.allowPrivate,
        loadSecrets: (names) => loadSecrets(ctx.db, names, ctx.appSecret),
      }),
    ),
  /** The conversation's active flow and its last runs, step by step. */
  ofConversation: requireAccess("inbox", "read")
    .input(z.object({ threadId: z.uuid() }))
    .query(({ ctx, input }) => conversationFlows(ctx.db, input.threadId)),
  /** The flows the Analytics page offers. */
  analyticsFlows: requireAccess("insights", "read").query(({ ctx }) => listAnalyticsFlows(ctx.db)),
  /** Starts, outcomes, median time to complete and the funnel of one flow (every role sees the whole org's, like the rules table). */
  analytics: requireAccess("insights", "read")
    .input(ZFlowAnalyticsInput)
    .query(({ ctx, input }) => flowAnalytics(ctx.db, input)),
});
