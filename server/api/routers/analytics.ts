import { getOverview } from "~/server/analytics/overview";
import { ZRangeInput } from "~/server/analytics/range";
import { createTRPCRouter, requireAccess } from "../trpc";

export const analyticsRouter = createTRPCRouter({
  overview: requireAccess("insights", "read")
    .input(ZRangeInput)
    .query(({ ctx, input }) => getOverview(ctx.db, input)),
});
