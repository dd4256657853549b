import {
  createMediaAsset,
  deleteMediaAsset,
  LIBRARY_LINK_TTL_S,
  listMediaAssets,
  mediaStorage,
  renameMediaAsset,
  ZAssetIdInput,
  ZCreateAssetInput,
  ZRenameAssetInput,
  webStoreDescription,
} from "~/server/media/library";
import { createTRPCRouter, requireAccess } from "../trpc";

/** The media library and the store's figures (Settings → Media); rule builders read the library to pick a reply's file. */
export const mediaRouter = createTRPCRouter({
  assets: requireAccess("config", "read").query(({ ctx }) =>
    listMediaAssets(ctx.db, { secret: ctx.appSecret, ttlS: LIBRARY_LINK_TTL_S }),
  ),
  createAsset: requireAccess("users", "write")
    .input(ZCreateAssetInput)
    .mutation(({ ctx, input }) => createMediaAsset(ctx.db, ctx.user, input)),
  renameAsset: requireAccess("users", "write")
    .input(ZRenameAssetInput)
    .mutation(({ ctx, input }) => renameMediaAsset(ctx.db, ctx.user, input)),
  deleteAsset: requireAccess("users", "write")
    .input(ZAssetIdInput)
    .mutation(({ ctx, input }) => deleteMediaAsset(ctx.db, ctx.user, input)),
  storage: requireAccess("users", "read").query(({ ctx }) => mediaStorage(ctx.db, webStoreDescription())),
});
