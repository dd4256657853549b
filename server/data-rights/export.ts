import type { Readable } from "node:stream";
import { sql, type SQL } from "drizzle-orm";
import type { TDb, TTx } from "~/db/client";
import {
  auditLog,
  campaignRecipients,
  campaigns,
  contactIdentities,
  contacts,
  events,
  flowRuns,
  flowSteps,
  messages,
  satisfactionSurveys,
  scheduledMessages,
  threadNotes,
  threads,
} from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { pgArray } from "~/server/lib/sql";
import { isMediaKey, type TMediaStore } from "~/server/media/store";
import { NO_SUCH_CONTACT, ZContactRightsInput, type TContactRightsInput } from "./erase";
import { writeZip, type TZipEntry } from "./zip";

/** The export's format name and version, first in `contact.json`. */
export const EXPORT_FORMAT = "switchboard.contact-export/1";

type TRow = Record<string, unknown>;

async function rowsOf(tx: TTx, query: SQL): Promise<TRow[]> {
  const { rows } = await tx.execute<TRow>(query);
  return rows;
}

/** A media file of the export: where it is in the archive, or why it is not. */
export type TExportedMedia = {
  sha256: string;
  mimeType: string | null;
  fileName: string | null;
  /** Its path in the archive; null when the store no longer has it (removed by retention). */
  file: string | null;
};

/** Everything held about one contact, as `contact.json` holds it (all columns of every row). */
export type TContactDocument = {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  contact: TRow;
  identities: TRow[];
  /** Consent: the contact's opt-in and opt-out columns, and the events that changed them. */
  consent: { optedOut: unknown; optedInAt: unknown; optInSource: unknown; optedOutAt: unknown; history: TRow[] };
  conversations: { conversation: TRow; messages: TRow[]; notes: TRow[]; surveys: TRow[] }[];
  media: TExportedMedia[];
  events: TRow[];
  campaigns: TRow[];
  scheduledMessages: TRow[];
  flowRuns: { run: TRow; steps: TRow[] }[];
  auditEntries: TRow[];
};

/** Reads everything held about one contact, in one repeatable-read snapshot. */
export async function readContactDocument(db: TDb, contactId: string): Promise<TContactDocument> {
  return db.transaction(
    async (tx) => {
      const [contact] = await rowsOf(tx, sql`select * from ${contacts} where id = ${contactId}`);
      if (!contact) throw new AppError("NOT_FOUND", NO_SUCH_CONTACT);
      const identities = await rowsOf(
        tx,
        sql`select * from ${contactIdentities} where contact_id = ${contactId} order by created_at`,
      );
      const threadRows = await rowsOf(tx, sql`select * from ${threads} where contact_id = ${contactId}`);
      const conversations = [];
      const media = new Map<string, TExportedMedia>();
      for (const thread of threadRows) {
        const threadId = thread.id as string;
        const threadMessages = await rowsOf(
          tx,
          sql`select * from ${messages} where thread_id = ${threadId} order by created_at, seq`,
        );
        for (const message of threadMessages) {
          const ref = (message.content as { media?: TRow } | null)?.media;
          const key = ref?.storageKey;
          if (typeof key === "string" && isMediaKey(key) && !media.has(key))
            media.set(key, {
              sha256: key,
              mimeType: typeof ref?.mimeType === "string" ? ref.mimeType : null,
              fileName: typeof ref?.fileName === "string" ? ref.fileName : null,
              file: null,
            });
        }
        conversations.push({
          conversation: thread,
          messages: threadMessages,
          notes: await rowsOf(tx, sql`select * from ${threadNotes} where thread_id = ${threadId} order by created_at`),
          surveys: await rowsOf(
            tx,
            sql`select * from ${satisfactionSurveys} where thread_id = ${threadId} order by sent_at`,
          ),
        });
      }
      const threadIds = threadRows.map((row) => row.id as string);
      const threadList = pgArray(threadIds, "uuid");
      const eventRows = await rowsOf(
        tx,
        sql`select * from ${events} where contact_id = ${contactId} or thread_id = any(${threadList}) order by at, id`,
      );
      const runs = await rowsOf(
        tx,
        sql`select * from ${flowRuns} where contact_id = ${contactId} or thread_id = any(${threadList}) order by started_at`,
      );
      const flowRunsWithSteps = [];
      for (const run of runs)
        flowRunsWithSteps.push({
          run,
          steps: await rowsOf(tx, sql`select * from ${flowSteps} where run_id = ${run.id as string} order by id`),
        });
      return {
        format: EXPORT_FORMAT,
        exportedAt: new Date().toISOString(),
        contact,
        identities,
        consent: {
          optedOut: contact.opted_out,
          optedInAt: contact.opted_in_at,
          optInSource: contact.opt_in_source,
          optedOutAt: contact.opted_out_at,
          history: eventRows.filter((event) => /^contact\.(opted|consent)/.test(String(event.type))),
        },
        conversations,
        media: [...media.values()],
        events: eventRows,
        campaigns: await rowsOf(
          tx,
          sql`select r.*, c.name as campaign_name from ${campaignRecipients} r
              join ${campaigns} c on c.id = r.campaign_id where r.contact_id = ${contactId} order by c.created_at`,
        ),
        scheduledMessages: await rowsOf(
          tx,
          sql`select * from ${scheduledMessages} where contact_id = ${contactId} order by send_at`,
        ),
        flowRuns: flowRunsWithSteps,
        auditEntries: await rowsOf(
          tx,
          sql`select * from ${auditLog} where entity_id = ${contactId} or entity_id = any(${pgArray(threadIds, "text")}) order by at`,
        ),
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

async function* chunksOf(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk as Uint8Array;
}

/** The file name of a contact's export. */
export function exportFileName(contactId: string, at = new Date()): string {
  return `contact-${contactId}-${at.toISOString().slice(0, 10)}.zip`;
}

/**
 * A contact's data export: one ZIP with `contact.json` (every row about them, see
 * `TContactDocument`) and `media/<sha256>` for each of their media files the store still has
 * (a file retention removed is listed with `file: null`). Reads the database before it returns
 * (an unknown contact is an error, not a broken download), audited as `export` of `contact`;
 * the media bytes stream as the reader pulls.
 */
export async function exportContactData(
  db: TDb,
  store: TMediaStore,
  actor: TActor,
  rawInput: TContactRightsInput,
): Promise<{ filename: string; chunks: AsyncGenerator<Uint8Array> }> {
  const { contactId } = ZContactRightsInput.parse(rawInput);
  const document = await readContactDocument(db, contactId);
  for (const file of document.media) {
    if (await store.has(file.sha256)) file.file = `media/${file.sha256}`;
  }
  await recordAudit(db, actor, { action: "export", entity: "contact", entityId: contactId });
  const json = Buffer.from(JSON.stringify(document, null, 2), "utf8");
  const entries: TZipEntry[] = [
    { name: "contact.json", open: () => [json] },
    ...document.media.flatMap((file) =>
      file.file === null
        ? []
        : [
            {
              name: file.file,
              open: async function* () {
                const found = await store.get(file.sha256);
                if (!found) throw new Error(`media file ${file.sha256} left the store during the export`);
                yield* chunksOf(found.stream);
              },
            },
          ],
    ),
  ];
  return { filename: exportFileName(contactId), chunks: writeZip(entries) };
}
