import { sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { campaignRecipients, campaigns, contactIdentities, contacts, events } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { readCsv, suggestMapping, MAX_IMPORT_BYTES } from "~/server/contacts/import";
import { findKnownNumbers, parsePhoneNumber, phoneCandidates } from "~/server/contacts/phone";
import { AppError } from "~/server/errors";
import { serverText, type TServerText } from "~/server/i18n/domain";
import { jsonRecordset, pgArray } from "~/server/lib/sql";
import { getOrgSettings } from "~/server/settings/settings";
import { clearList, lockCampaign } from "./campaigns";

/**
 * A campaign's audience from a CSV file (an imported list): each row a recipient, in file order,
 * its other columns the row's variables (`{{var.column}}` in the content). Rows are matched to
 * contacts by phone, read as the contacts import reads it (server/contacts/phone.ts, the file by
 * server/contacts/import.ts `readCsv`), on the number chosen; a number not yet a contact there
 * becomes one. Opted-out and blocked contacts never become recipients; every row left out is
 * reported with its line and reason, nothing is dropped silently. Importing again replaces the
 * list (a draft or scheduled campaign only); the campaign's segment is then cleared.
 */

/** A variable's value, at most. */
const MAX_VARIABLE_CHARS = 1_000;
/** Rows per write statement. */
const WRITE_CHUNK = 5_000;

export const ZCampaignListInput = z.object({
  campaignId: z.uuid(),
  /** The number whose contacts the rows are (one of the campaign's). */
  sessionId: z.uuid("Choose a number to send from"),
  csv: z.string().max(MAX_IMPORT_BYTES, "The file is larger than 10 MB; split it into smaller files."),
  fileName: z.string().trim().max(255).optional(),
});
export type TCampaignListInput = z.input<typeof ZCampaignListInput>;

/** A row left out of the list: its line in the file and why (a catalogue key and values). */
export type TListRejection = { line: number; phone: string | null; reason: TServerText };

/** A column's name as a variable: `{{var.first_visit}}` for "First visit". */
export function variableName(header: string): string {
  return (
    header
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 40) || "column"
  );
}

type TListRow = { line: number; waId: string; name: string | null; variables: Record<string, string> };

/** Reads the file into rows to write, and rejections (line + reason): no writes. */
async function readList(db: TDbOrTx, csv: string) {
  // The contacts import's reader and limits: 10 MB, 50,000 rows, each refused with a clear error.
  const table = readCsv(csv);
  const mapping = suggestMapping(table.headers);
  const phoneIndex = table.headers.findIndex((header) => mapping[header] === "phone");
  if (phoneIndex < 0) throw new AppError("BAD_REQUEST", "Choose the column that holds the phone number.");
  const nameIndex = table.headers.findIndex((header) => mapping[header] === "name");
  const variableColumns = table.headers
    .map((header, index) => ({ index, name: variableName(header) }))
    .filter(({ index }) => index !== phoneIndex && index !== nameIndex);
  const { defaultCountry } = await getOrgSettings(db);
  const known = await findKnownNumbers(
    db,
    table.rows.flatMap((row) => phoneCandidates(row.cells[phoneIndex] ?? "", defaultCountry)),
  );
  const rows: TListRow[] = [];
  const rejected: TListRejection[] = table.unreadable.map((row) => ({
    line: row.line,
    phone: null,
    reason: serverText("campaignResults.reason.unreadable"),
  }));
  const firstLineOf = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const phone = cells[phoneIndex] ?? "";
    const reject = (reason: TServerText) => rejected.push({ line, phone: phone || null, reason });
    if (phone === "") {
      reject(serverText("campaignResults.reason.phoneMissing"));
      continue;
    }
    const verdict = parsePhoneNumber(phone, defaultCountry, known);
    if (!verdict.ok) {
      reject(verdict.message);
      continue;
    }
    const first = firstLineOf.get(verdict.e164);
    if (first !== undefined) {
      reject(serverText("campaignResults.reason.duplicate", { line: first }));
      continue;
    }
    const name = nameIndex < 0 ? null : cells[nameIndex] || null;
    if (name && name.length > 120) {
      reject(serverText("campaignResults.reason.nameTooLong"));
      continue;
    }
    const long = variableColumns.find(({ index }) => (cells[index] ?? "").length > MAX_VARIABLE_CHARS);
    if (long) {
      reject(
        serverText("campaignResults.reason.valueTooLong", {
          column: table.headers[long.index]!,
          max: MAX_VARIABLE_CHARS,
        }),
      );
      continue;
    }
    firstLineOf.set(verdict.e164, line);
    const variables: Record<string, string> = {};
    for (const { index, name: variable } of variableColumns) variables[variable] ??= cells[index] ?? "";
    rows.push({ line, waId: verdict.e164, name, variables });
  }
  return {
    headers: table.headers,
    variables: [...new Set(variableColumns.map((column) => column.name))],
    rows,
    rejected,
  };
}

/**
 * Replaces a draft or scheduled campaign's audience with the rows of a CSV file (see the module's
 * comment), in one transaction: contacts made where missing on the number chosen, opted-out and
 * blocked ones left out (reported), the rest its recipients in file order with their variables.
 * Audited with the counts.
 */
export async function importCampaignList(db: TDb, actor: TActor, raw: TCampaignListInput) {
  const input = ZCampaignListInput.parse(raw);
  const list = await readList(db, input.csv);
  return db.transaction(async (tx) => {
    const campaign = await lockCampaign(tx, input.campaignId);
    if (campaign.status !== "draft" && campaign.status !== "scheduled")
      throw new AppError("CONFLICT", serverText("campaigns.notEditable"));
    if (!campaign.sessionIds.includes(input.sessionId))
      throw new AppError("BAD_REQUEST", "Choose a number the campaign sends from.", {
        sessionId: "Choose a number the campaign sends from.",
      });
    const session = input.sessionId;
    // As the contacts import records the contacts it makes (the webhook's `contact.created` payload).
    const createdPayload = JSON.stringify({ by: "import", fileName: input.fileName ?? null });
    const rejected = [...list.rejected];
    let created = 0;
    const seen = new Set<string>();
    const recipients: { contact_id: string; position: number; variables: Record<string, string> }[] = [];
    for (let start = 0; start < list.rows.length; start += WRITE_CHUNK) {
      const chunk = list.rows.slice(start, start + WRITE_CHUNK);
      const input_ = chunk.map((row) => ({ wa_id: row.waId, name: row.name }));
      // Numbers new to the session become contacts (named from the list); the rest are found
      // through identities (a number merged into another contact reaches that contact).
      const inserted = await tx.execute<{ id: string }>(sql`
        with input as (select * from ${jsonRecordset(input_, "wa_id text, name text")} x),
        inserted as (
          insert into ${contacts} (session_id, wa_id, name)
          select ${session}::uuid, i.wa_id, i.name from input i
          where not exists (
            select 1 from ${contactIdentities} ci
            where ci.session_id = ${session}::uuid and ci.kind = 'phone' and ci.value = i.wa_id)
          order by i.wa_id
          on conflict (session_id, wa_id) do nothing
          returning id
        ), recorded as (
          insert into ${events} (type, session_id, contact_id, payload)
          select 'contact.created', ${session}::uuid, id, ${createdPayload}::jsonb
          from inserted
        )
        select id from inserted`);
      created += inserted.rows.length;
      const { rows: found } = await tx.execute<{
        wa_id: string;
        contact_id: string;
        opted_out: boolean;
        blocked: boolean;
      }>(sql`
        select ci.value as wa_id, c.id as contact_id, c.opted_out, c.blocked
        from ${contactIdentities} ci join ${contacts} c on c.id = ci.contact_id
        where ci.session_id = ${session}::uuid and ci.kind = 'phone'
          and ci.value = any(${pgArray(
            chunk.map((row) => row.waId),
            "text",
          )})`);
      const byNumber = new Map(found.map((row) => [row.wa_id, row]));
      for (const row of chunk) {
        const contact = byNumber.get(row.waId);
        const reject = (reason: TServerText) => rejected.push({ line: row.line, phone: row.waId, reason });
        if (!contact) reject(serverText("campaignResults.reason.notSaved"));
        else if (contact.opted_out) reject(serverText("campaignResults.reason.optedOut"));
        else if (contact.blocked) reject(serverText("campaignResults.reason.blocked"));
        // Two numbers of one contact (merged): the contact is once in the list.
        else if (seen.has(contact.contact_id)) reject(serverText("campaignResults.reason.sameContact"));
        else {
          seen.add(contact.contact_id);
          recipients.push({
            contact_id: contact.contact_id,
            position: recipients.length + 1,
            variables: row.variables,
          });
        }
      }
    }
    await clearList(tx, campaign.id);
    for (let start = 0; start < recipients.length; start += WRITE_CHUNK) {
      const chunk = recipients.slice(start, start + WRITE_CHUNK);
      await tx.execute(sql`
        insert into ${campaignRecipients} (campaign_id, contact_id, position, variables)
        select ${campaign.id}::uuid, contact_id, position, variables
        from ${jsonRecordset(chunk, "contact_id uuid, position int, variables jsonb")} x`);
    }
    await tx
      .update(campaigns)
      .set({ segmentId: null, updatedAt: new Date() })
      .where(sql`${campaigns.id} = ${campaign.id}`);
    rejected.sort((a, b) => a.line - b.line);
    const result = {
      rows: list.rows.length + list.rejected.length,
      recipients: recipients.length,
      created,
      variables: list.variables,
      rejected,
    };
    await recordAudit(tx, actor, {
      action: "import",
      entity: "campaign",
      entityId: campaign.id,
      after: {
        fileName: input.fileName ?? null,
        rows: result.rows,
        recipients: result.recipients,
        created,
        rejected: rejected.length,
      },
    });
    return result;
  });
}

/** An imported list's summary: how many recipients, and the variables its columns give. */
export async function listSummary(db: TDbOrTx, campaignId: string) {
  const { rows } = await db.execute<{ recipients: number; variables: string[] | null }>(sql`
    select count(*)::int as recipients,
      (select array_agg(k order by k) from (select distinct jsonb_object_keys(variables) k from ${campaignRecipients}
        where campaign_id = ${campaignId} and position <= 50) keys) as variables
    from ${campaignRecipients} where campaign_id = ${campaignId}`);
  return { recipients: rows[0]?.recipients ?? 0, variables: rows[0]?.variables ?? [] };
}
