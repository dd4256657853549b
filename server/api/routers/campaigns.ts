import { z } from "zod";
import {
  campaignProgress,
  cancelCampaign,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  saveCampaign,
  sendingNumbers,
  startCampaign,
  ZCampaignInput,
} from "~/server/campaigns/campaigns";
import {
  countSegment,
  deleteSegment,
  listSegments,
  saveSegment,
  ZSegmentFilter,
  ZSegmentInput,
} from "~/server/campaigns/segments";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });

/** Segments (saved contact filters) and campaigns: thin, the domain is server/campaigns/. */
export const campaignsRouter = createTRPCRouter({
  segments: requireAccess("config", "read").query(({ ctx }) => listSegments(ctx.db)),
  /** How many contacts a filter matches now, and how many a campaign could reach (live, while editing). */
  countSegment: requireAccess("config", "read")
    .input(z.object({ filter: ZSegmentFilter }))
    .query(({ ctx, input }) => countSegment(ctx.db, input.filter)),
  saveSegment: requireAccess("config", "write")
    .input(z.object({ id: z.uuid().nullable(), segment: ZSegmentInput }))
    .mutation(({ ctx, input }) => saveSegment(ctx.db, ctx.user, input.id, input.segment)),
  deleteSegment: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteSegment(ctx.db, ctx.user, input.id)),
  list: requireAccess("config", "read").query(({ ctx }) => listCampaigns(ctx.db)),
  /** The numbers a campaign may send from. */
  numbers: requireAccess("config", "read").query(({ ctx }) => sendingNumbers(ctx.db)),
  get: requireAccess("config", "read")
    .input(ZId)
    .query(async ({ ctx, input }) => ({
      campaign: await getCampaign(ctx.db, input.id),
      progress: await campaignProgress(ctx.db, input.id),
    })),
  save: requireAccess("config", "write")
    .input(z.object({ id: z.uuid().nullable(), campaign: ZCampaignInput }))
    .mutation(({ ctx, input }) => saveCampaign(ctx.db, ctx.user, input.id, input.campaign)),
  start: requireAccess("config", "write")
    .input(ZId)
    .mutation(async ({ ctx, input }) => startCampaign(ctx.db, await ctx.boss(), ctx.user, input.id)),
  pause: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => pauseCampaign(ctx.db, ctx.user, input.id)),
  resume: requireAccess("config", "write")
    .input(ZId)
    .mutation(async ({ ctx, input }) => resumeCampaign(ctx.db, await ctx.boss(), ctx.user, input.id)),
  cancel: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => cancelCampaign(ctx.db, ctx.user, input.id)),
});
