import { z } from "zod";
import {
  deleteProfile,
  listCollectionChoices,
  listProfiles,
  previewPrompt,
  saveProfile,
  ZPreviewInput,
  ZProfileInput,
} from "~/server/profiles/profiles";
import { createTRPCRouter, requireAccess } from "../trpc";

export const profilesRouter = createTRPCRouter({
  list: requireAccess("config", "read").query(({ ctx }) => listProfiles(ctx.db)),
  /** The knowledge collections a profile may draw on (for the profile form). */
  collections: requireAccess("config", "read").query(({ ctx }) => listCollectionChoices(ctx.db)),
  save: requireAccess("config", "write")
    .input(z.object({ id: z.uuid().nullable(), profile: ZProfileInput }))
    .mutation(({ ctx, input }) => saveProfile(ctx.db, ctx.user, input.id, input.profile)),
  delete: requireAccess("config", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteProfile(ctx.db, ctx.user, input.id)),
  preview: requireAccess("config", "read")
    .input(ZPreviewInput)
    .mutation(({ ctx, input }) => previewPrompt(ctx.db, { gemini: ctx.gemini }, input)),
});
