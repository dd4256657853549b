import { tickCampaign } from "~/server/campaigns/campaigns";
import type { TJobHandler } from "../runtime";

/** `campaign.tick`: one step of a campaign's sending loop (server/campaigns/campaigns.ts). */
export const handleCampaignTick: TJobHandler<"campaign.tick"> = async (job, { db, boss, log }) => {
  const outcome = await tickCampaign(db, boss, job);
  if (outcome.action === "sent" && outcome.done) log.info({ campaignId: job.campaignId }, "campaign sent to everyone");
};
