import { listAudit, ZListAuditInput } from "~/server/audit/audit";
import { createTRPCRouter, requireAccess } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: requireAccess("insights", "read")
    .input(ZListAuditInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.user, input)),
});
