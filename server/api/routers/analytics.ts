import { busiestHours, messagesOverTime, responseTimeOverTime, ZSeriesInput } from "~/server/analytics/charts";
import { getOverview } from "~/server/analytics/overview";
import { ZRangeInput } from "~/server/analytics/range";
import { agentsTable, rulesTable } from "~/server/analytics/tables";
import { teamAnalytics } from "~/server/analytics/teams";
import { isScopedToOwn } from "~/server/auth/roles";
import { aiUsageForRange } from "~/server/ai/usage";
import { createTRPCRouter, requireAccess } from "../trpc";

export const analyticsRouter = createTRPCRouter({
  overview: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => getOverview(ctx.db, input)),
  messages: requireAccess("insights", "read")
    .input(ZSeriesInput)
    .query(({ ctx, input }) => messagesOverTime(ctx.db, input)),
  responseTimes: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => responseTimeOverTime(ctx.db, input)),
  busiestHours: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => busiestHours(ctx.db, input)),
  rules: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => rulesTable(ctx.db, input)),
  agents: requireAccess("insights", "read")
    .input(ZRangeInput)
    // An agent's share of the insights: their own row of the per-person table.
    .query(({ ctx, input }) =>
      agentsTable(ctx.db, input, isScopedToOwn(ctx.user.role, "insights") ? ctx.user.id : null),
    ),
  /** Per team and per agent: hand-offs, first response, SLA compliance, satisfaction (an agent: their own agent row). */
  teams: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) =>
      teamAnalytics(ctx.db, input, isScopedToOwn(ctx.user.role, "insights") ? ctx.user.id : null),
    ),
  /** AI token use and estimated cost per day (UTC) and per profile, and today's spend against the daily cap. */
  aiUsage: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => aiUsageForRange(ctx.db, input)),
});
