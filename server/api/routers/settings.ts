import { aiStatus, testAiKey } from "~/server/ai/status";
import { ZUpdateOrgSettingsInput } from "~/server/settings/schema";
import { getOrgSettings, updateOrgSettings } from "~/server/settings/settings";
import { createTRPCRouter, requireAccess } from "../trpc";

export const settingsRouter = createTRPCRouter({
  get: requireAccess("users", "read").query(({ ctx }) => getOrgSettings(ctx.db)),
  /** Which provider answers AI replies (never the key). */
  ai: requireAccess("users", "read").query(async ({ ctx }) =>
    aiStatus(ctx.gemini, (await getOrgSettings(ctx.db)).aiModel),
  ),
  /** One real request to the model with the deployment's key: does it work, and if not, why. */
  testAi: requireAccess("users", "write").mutation(async ({ ctx }) =>
    testAiKey(ctx.gemini, (await getOrgSettings(ctx.db)).aiModel),
  ),
  update: requireAccess("users", "write")
    .input(ZUpdateOrgSettingsInput)
    .mutation(({ ctx, input }) => updateOrgSettings(ctx.db, ctx.user, input)),
});
