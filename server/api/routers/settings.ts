import { ZUpdateOrgSettingsInput } from "~/server/settings/schema";
import { getOrgSettings, updateOrgSettings } from "~/server/settings/settings";
import { createTRPCRouter, requireAccess } from "../trpc";

export const settingsRouter = createTRPCRouter({
  get: requireAccess("users", "read").query(({ ctx }) => getOrgSettings(ctx.db)),
  update: requireAccess("users", "write")
    .input(ZUpdateOrgSettingsInput)
    .mutation(({ ctx, input }) => updateOrgSettings(ctx.db, ctx.user, input)),
});
