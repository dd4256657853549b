import { aiStatus, testAiKey } from "~/server/ai/status";
import { ZUpdateOrgSettingsInput } from "~/server/settings/schema";
import { deleteSecret, listSecrets, setSecret, ZSecretName, ZSetSecretInput } from "~/server/settings/secrets";
import { getOrgSettings, updateOrgSettings } from "~/server/settings/settings";
import { z } from "zod";
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
  /** The secrets flows' HTTP steps use: names and dates, never a value. */
  secrets: requireAccess("users", "read").query(({ ctx }) => listSecrets(ctx.db)),
  /** Only the names, for the flow editor's HTTP step (builders may not open Settings). */
  secretNames: requireAccess("config", "read").query(async ({ ctx }) =>
    (await listSecrets(ctx.db)).map((secret) => secret.name),
  ),
  setSecret: requireAccess("users", "write")
    .input(ZSetSecretInput)
    .mutation(({ ctx, input }) => setSecret(ctx.db, ctx.user, ctx.appSecret, input)),
  deleteSecret: requireAccess("users", "write")
    .input(z.object({ name: ZSecretName }))
    .mutation(({ ctx, input }) => deleteSecret(ctx.db, ctx.user, input.name)),
});
