import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { campaignRecipients, contacts, messages, waSessions } from "~/db/schema";
import { csvField } from "~/server/contacts/export";
import { getCampaign } from "./campaigns";
import { RECIPIENT_FILTERS, type TRecipientFilter } from "./recipient-filters";

/**
 * A campaign's results, recipient by recipient: what became of each one's message (read from
 * the message itself, as `campaignProgress` counts it), whether they replied or opted out after
 * it, or why they were skipped. Paged by position (keyset: a campaign has up to 100,000
 * recipients), filterable by the same statuses the progress counts, and exported as CSV.
 */

export { RECIPIENT_FILTERS, type TRecipientFilter };

export const ZListRecipientsInput = z.object({
  campaignId: z.uuid(),
  status: z.enum(RECIPIENT_FILTERS).default("all"),
  /** The last position of the previous page (null: the first page). */
  cursor: z.number().int().min(0).max(2_147_483_647).nullable().default(null),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TListRecipientsInput = z.input<typeof ZListRecipientsInput>;

export type TRecipientResult = {
  position: number;
  contactId: string;
  name: string | null;
  phone: string;
  /** The number it is (or would be) sent from. */
  number: string;
  state: "pending" | "queued" | "skipped";
  /** The message's status: queued, sent, delivered, read, failed (null: no message). */
  messageStatus: string | null;
  replied: boolean;
  reason: string | null;
  optedOut: boolean;
  queuedAt: string | null;
};

const replied = sql`(m.id is not null and exists (
  select 1 from ${messages} i where i.thread_id = m.thread_id and i.direction = 'in' and i.created_at > m.created_at))`;
const optedOutAfter = sql`(c.opted_out and c.opted_out_at >= coalesce(m.created_at, r.queued_at))`;

function statusWhere(status: TRecipientFilter): SQL {
  switch (status) {
    case "all":
      return sql`true`;
    case "pending":
      return sql`r.state = 'pending'`;
    case "skipped":
      return sql`r.state = 'skipped'`;
    case "queued":
      return sql`m.status = 'queued'`;
    case "sent":
      return sql`m.status in ('sent', 'delivered', 'read')`;
    case "delivered":
      return sql`m.status in ('delivered', 'read')`;
    case "read":
      return sql`m.status = 'read'`;
    case "failed":
      return sql`m.status = 'failed'`;
    case "replied":
      return replied;
    case "optedOut":
      return optedOutAfter;
  }
}

/** One page of a campaign's recipients in sending order, and the cursor of the next (null: the last page). */
export async function listCampaignRecipients(db: TDbOrTx, raw: TListRecipientsInput) {
  const input = ZListRecipientsInput.parse(raw);
  await getCampaign(db, input.campaignId);
  return readPage(db, input);
}

async function readPage(
  db: TDbOrTx,
  input: { campaignId: string; status: TRecipientFilter; cursor: number | null; limit: number },
) {
  const { rows } = await db.execute<TRecipientResult>(sql`
    select r.position, c.id as "contactId", c.name, c.wa_id as phone,
      coalesce(nullif(s.name, ''), s.phone, '') as number, r.state, m.status as "messageStatus",
      ${replied} as replied, r.reason, ${optedOutAfter} is true as "optedOut",
      to_char(r.queued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "queuedAt"
    from ${campaignRecipients} r
    join ${contacts} c on c.id = r.contact_id
    left join ${messages} m on m.id = r.message_id
    left join ${waSessions} s on s.id = coalesce(m.session_id, c.session_id)
    where r.campaign_id = ${input.campaignId}
      and r.position > ${input.cursor ?? 0}
      and ${statusWhere(input.status)}
    order by r.position
    limit ${input.limit + 1}`);
  const page = rows.slice(0, input.limit);
  return { recipients: page, nextCursor: rows.length > input.limit ? (page.at(-1)?.position ?? null) : null };
}

export const RECIPIENT_CSV_COLUMNS = [
  "position",
  "name",
  "phone",
  "number",
  "state",
  "message_status",
  "replied",
  "skipped_reason",
  "opted_out",
  "queued_at",
] as const;

/** Rows read per page of the export. */
const EXPORT_PAGE = 1_000;

/**
 * Every recipient of a campaign (or those of one status) as CSV, header first, page by page
 * with the list's keyset, so a 100,000-recipient export never holds them all at once. Cells go
 * through the contacts export's `csvField` (quoted, and a leading `= + - @` defused).
 */
export async function* exportCampaignRecipientsCsv(
  db: TDbOrTx,
  campaignId: string,
  status: TRecipientFilter = "all",
): AsyncGenerator<string> {
  await getCampaign(db, campaignId);
  yield `${RECIPIENT_CSV_COLUMNS.join(",")}\r\n`;
  let cursor: number | null = null;
  do {
    const page: Awaited<ReturnType<typeof readPage>> = await readPage(db, {
      campaignId,
      status,
      cursor,
      limit: EXPORT_PAGE,
    });
    if (page.recipients.length === 0) return;
    yield page.recipients
      .map((row) =>
        [
          row.position,
          row.name,
          row.phone,
          row.number,
          row.state,
          row.messageStatus,
          row.replied ? "yes" : "no",
          row.reason,
          row.optedOut ? "yes" : "no",
          row.queuedAt,
        ]
          .map(csvField)
          .join(",")
          .concat("\r\n"),
      )
      .join("");
    cursor = page.nextCursor;
  } while (cursor !== null);
}
