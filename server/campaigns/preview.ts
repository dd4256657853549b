import { eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { campaignRecipients, contacts, messages, segments, threads } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { pgArray } from "~/server/lib/sql";
import { textOf } from "~/server/messages/content";
import { getCampaign, wroteFirstSql } from "./campaigns";
import {
  buildRecipientMessage,
  campaignSessions,
  ZCampaignContent,
  type TCampaignContent,
  type TRecipientRow,
} from "./content";
import { reachableWhere, segmentWhere, ZSegmentFilter } from "./segments";

/**
 * The preview for real contacts: the first few of a campaign's audience, and the exact message
 * one of them would get, built by the function the sending uses (./content.ts).
 */

/** How many of the audience the preview offers. */
export const PREVIEW_CONTACTS = 5;

/** The first contacts of the audience, in sending order: the list's first rows, or the segment's first members. */
export async function previewAudience(db: TDbOrTx, campaignId: string) {
  const campaign = await getCampaign(db, campaignId);
  if (!campaign.segmentId) {
    return db
      .select({ contactId: contacts.id, name: contacts.name, waId: contacts.waId })
      .from(campaignRecipients)
      .innerJoin(contacts, eq(contacts.id, campaignRecipients.contactId))
      .where(eq(campaignRecipients.campaignId, campaignId))
      .orderBy(campaignRecipients.position)
      .limit(PREVIEW_CONTACTS);
  }
  const [segment] = await db.select().from(segments).where(eq(segments.id, campaign.segmentId));
  const filter = ZSegmentFilter.safeParse(segment?.filter);
  if (!filter.success) return [];
  // Whom the materialisation takes, in its order (campaigns.ts `begin`): by contact id.
  const { rows } = await db.execute<{ contactId: string; name: string | null; waId: string }>(sql`
    select c.id as "contactId", c.name, c.wa_id as "waId" from ${contacts} c
    where ${segmentWhere(filter.data)} and ${reachableWhere}
      and c.session_id = any(${pgArray(campaign.sessionIds, "uuid")})
      ${campaign.includeColdContacts ? sql`` : sql`and ${wroteFirstSql}`}
    order by c.id limit ${PREVIEW_CONTACTS}`);
  return rows;
}

/**
 * The message `contactId` would get from the campaign now (its saved content, or `content` being
 * edited), or why they would get none: the list's values when they are in it.
 */
export async function previewCampaignMessage(
  db: TDbOrTx,
  input: { campaignId: string; contactId: string; content?: TCampaignContent | undefined },
  now = new Date(),
) {
  const campaign = await getCampaign(db, input.campaignId);
  const content = ZCampaignContent.parse(input.content ?? campaign.content);
  const { rows } = await db.execute<TRecipientRow>(sql`
    select c.id as contact_id, coalesce(r.variables, '{}'::jsonb) as variables, c.session_id, c.wa_id, c.name,
      c.relationship, c.fields, c.opted_out, c.blocked, t.id as thread_id,
      (select max(m.created_at) from ${messages} m where m.thread_id = t.id and m.direction = 'in') as last_in_at
    from ${contacts} c
    left join ${campaignRecipients} r on r.campaign_id = ${campaign.id} and r.contact_id = c.id
    left join ${threads} t on t.contact_id = c.id
    where c.id = ${input.contactId}`);
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", serverText("campaignResults.contactNotFound"));
  const sessions = await campaignSessions(db, content, [row.session_id]);
  const built = buildRecipientMessage(content, sessions.get(row.session_id)!, row, now);
  if ("skip" in built) return { message: null, text: null, skip: built.skip };
  return { message: built.message, text: textOf(built.message), skip: null };
}
