import { z } from "zod";
import {
  addFileSource,
  addTextSource,
  addUrlSource,
  deleteCollection,
  deleteSource,
  listCollections,
  listPassages,
  listSources,
  reindex,
  saveCollection,
  updateSource,
  ZAddFileInput,
  ZAddTextInput,
  ZAddUrlInput,
  ZCollectionInput,
} from "~/server/knowledge/sources";
import { createTRPCRouter, requireAccess } from "../trpc";

/** The Knowledge page: collections, their sources and passages (server/knowledge/sources.ts). */
export const knowledgeRouter = createTRPCRouter({
  collections: requireAccess("config", "read").query(({ ctx }) => listCollections(ctx.db)),
  saveCollection: requireAccess("config", "write")
    .input(z.object({ id: z.uuid().nullable(), collection: ZCollectionInput }))
    .mutation(({ ctx, input }) => saveCollection(ctx.db, ctx.user, input.id, input.collection)),
  deleteCollection: requireAccess("config", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteCollection(ctx.db, ctx.user, input.id)),
  sources: requireAccess("config", "read")
    .input(z.object({ collectionId: z.uuid() }))
    .query(({ ctx, input }) => listSources(ctx.db, input.collectionId, ctx.locale)),
  passages: requireAccess("config", "read")
    .input(
      z.object({
        sourceId: z.uuid(),
        /** The position after which to read (-1 or none: from the start). */
        cursor: z.number().int().min(-1).nullish(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      listPassages(ctx.db, input.sourceId, { after: input.cursor ?? undefined, limit: input.limit }),
    ),
  addText: requireAccess("config", "write")
    .input(ZAddTextInput)
    .mutation(async ({ ctx, input }) => addTextSource(ctx.db, await ctx.boss(), ctx.user, input)),
  addFile: requireAccess("config", "write")
    .input(ZAddFileInput)
    .mutation(async ({ ctx, input }) => addFileSource(ctx.db, await ctx.boss(), ctx.user, input)),
  addUrl: requireAccess("config", "write")
    .input(ZAddUrlInput)
    .mutation(async ({ ctx, input }) =>
      addUrlSource(ctx.db, await ctx.boss(), ctx.user, input, { allowPrivate: ctx.webhooks.allowPrivate }),
    ),
  updateSource: requireAccess("config", "write")
    .input(
      z.object({
        id: z.uuid(),
        title: z.string().trim().min(1).max(200, "A title has at most 200 characters.").optional(),
        refreshHours: z.number().int().min(1).max(8_760).nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateSource(ctx.db, ctx.user, input)),
  deleteSource: requireAccess("config", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteSource(ctx.db, ctx.user, input.id)),
  reindex: requireAccess("config", "write")
    .input(z.union([z.object({ sourceId: z.uuid() }), z.object({ collectionId: z.uuid() })]))
    .mutation(async ({ ctx, input }) => reindex(ctx.db, await ctx.boss(), input)),
});
