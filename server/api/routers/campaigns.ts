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
import { importCampaignList, listSummary, ZCampaignListInput } from "~/server/campaigns/audience";
import { ZCampaignContent } from "~/server/campaigns/content";
import { previewAudience, previewCampaignMessage } from "~/server/campaigns/preview";
import { listCampaignRecipients, ZListRecipientsInput } from "~/server/campaigns/results";
import { listTemplates } from "~/server/cloud/templates";
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
  /** Replaces a draft or scheduled campaign's audience with a CSV file's rows; reports each row left out. */
  importList: requireAccess("config", "write")
    .input(ZCampaignListInput)
    .mutation(({ ctx, input }) => importCampaignList(ctx.db, ctx.user, input)),
  /** An imported list's size and the variables its columns give. */
  listSummary: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => listSummary(ctx.db, input.id)),
  /** A number's approved templates with their parts (the template picker). */
  templates: requireAccess("config", "read")
    .input(z.object({ sessionId: z.uuid() }))
    .query(({ ctx, input }) => listTemplates(ctx.db, input.sessionId, { approvedOnly: true })),
  /** The first contacts of the audience, to preview the message for. */
  previewAudience: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => previewAudience(ctx.db, input.id)),
  /** The exact message a contact would get (the saved content, or the one being edited). */
  preview: requireAccess("config", "read")
    .input(z.object({ campaignId: z.uuid(), contactId: z.uuid(), content: ZCampaignContent.optional() }))
    .query(({ ctx, input }) => previewCampaignMessage(ctx.db, input)),
  /** A page of the recipients and what became of each one's message. */
  recipients: requireAccess("config", "read")
    .input(ZListRecipientsInput)
    .query(({ ctx, input }) => listCampaignRecipients(ctx.db, input)),
});
