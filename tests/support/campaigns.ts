import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { campaigns } from "~/db/schema";
import { tickCampaign } from "~/server/campaigns/campaigns";

/** The campaign's tick token now (null once its loop has ended or paused). */
export async function tickTokenOf(db: TDb, campaignId: string): Promise<string | null> {
  const [row] = await db.select({ tickToken: campaigns.tickToken }).from(campaigns).where(eq(campaigns.id, campaignId));
  return row?.tickToken ?? null;
}

/**
 * Runs a campaign's loop by hand on a synthetic clock, one tick a minute from `from`, until it
 * ends (no tick token left); fails after 50 ticks.
 */
export async function runCampaignLoop(
  database: { db: TDb; boss: PgBoss },
  campaignId: string,
  from = new Date(),
): Promise<void> {
  for (let step = 1; step <= 50; step++) {
    const token = await tickTokenOf(database.db, campaignId);
    if (!token) return;
    await tickCampaign(database.db, database.boss, { campaignId, token }, {}, new Date(from.getTime() + step * 60_000));
  }
  throw new Error("the loop did not end");
}
