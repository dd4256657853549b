import { and, asc, desc, eq, gt, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contactIdentities, contacts, contextProfiles, messages, threads, waSessions } from "~/db/schema";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { consentChange, type TOptInSource } from "./consent";
import { recordEvents } from "~/server/events/events";
import { AppError, isUniqueViolation } from "~/server/errors";
import { attachMediaLinks, type TMediaLinkOptions } from "~/server/media/links";
import { cursorInstant, decodeCursor, encodeCursor, ZStorableDate, ZStorableInstant } from "~/server/lib/cursor";
import { pgArray } from "~/server/lib/sql";
import { contentOfRow } from "~/server/messages/content";
import { identityOfAddress } from "./address";
import {
  coerceFieldValue,
  coerceFieldValues,
  FIELD_KEY,
  loadContactFields,
  setContactFieldValues,
  unknownFieldError,
  ZFieldValues,
} from "./fields";
import { findContactByIdentity, listIdentities } from "./identities";
import { resolvePhoneNumber } from "./phone";

/** A contact has at most this many tags (a manual edit, and an import adding to them). */
export const MAX_CONTACT_TAGS = 50;

export const CONTACT_SORTS = ["recent", "name", "newest"] as const;
const SEARCH_FIRST_LIMIT = 2_000;
/** The "recent" sort key, as contacts_recent_idx indexes it: never heard from sorts last. */
const RECENT_KEY = sql`coalesce(${contacts.lastInteractionAt}, '-infinity'::timestamptz)`;

export const ZListContactsInput = z.object({
  /** Name, number or tag. */
  search: z.string().trim().max(100).optional(),
  relationship: z.enum(RELATIONSHIPS).optional(),
  tag: z.string().trim().max(40).optional(),
  minPriority: z.number().int().min(0).max(100).optional(),
  optedOut: z.boolean().optional(),
  /** Only contacts heard from since this time. */
  interactedSince: ZStorableDate.optional(),
  /**
   * Only contacts whose custom field `key` equals `value` (read as the field reads values), or,
   * for numbers and dates, is before (below) or after (above) it.
   */
  field: z
    .object({
      key: z.string().regex(FIELD_KEY, "There is no contact field with this key."),
      op: z.enum(["eq", "before", "after"]).default("eq"),
      value: z.string().max(200),
    })
    .optional(),
  sort: z.enum(CONTACT_SORTS).default("recent"),
  /** The `next` of the previous page. */
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TListContactsInput = z.input<typeof ZListContactsInput>;

/**
 * The shape of a page cursor for each sort: the last row's sort key and id. Time keys are ISO
 * instants with Postgres's microseconds; `null` in "recent" is a contact never heard from.
 */
const CURSOR_KEYS = {
  name: z.string().max(500).nullable(),
  recent: ZStorableInstant.nullable(),
  newest: ZStorableInstant,
} satisfies Record<(typeof CONTACT_SORTS)[number], z.ZodType>;

/**
 * The contacts list: filters, and keyset pagination on (sort key, id), so every page costs the
 * same however deep. "recent" puts contacts never heard from last.
 */
export async function listContacts(db: TDbOrTx, raw: TListContactsInput = {}) {
  const input = ZListContactsInput.parse(raw);
  const where: SQL[] = [];
  if (input.search) {
    const term = `%${input.search.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
    const matches = or(
      ilike(contacts.name, term),
      ilike(contacts.waId, term),
      sql`${contacts.tags} @> array[${input.search}]::text[]`,
    )!;
    // A search usually matches few contacts: find them first (trigram and tag indexes), then
    // sort those. Walking the sort index while filtering would read every contact when the
    // planner overestimates the matches. A broad search (many matches) walks the index.
    // The planner misjudges `%text%` against trigram indexes and prefers a full scan: steer it.
    const found = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx
        .select({ id: contacts.id })
        .from(contacts)
        .where(matches)
        .limit(SEARCH_FIRST_LIMIT + 1);
    });
    where.push(
      found.length <= SEARCH_FIRST_LIMIT
        ? sql`${contacts.id} = any(${pgArray(
            found.map((row) => row.id),
            "uuid",
          )})`
        : matches,
    );
  }
  if (input.relationship) where.push(eq(contacts.relationship, input.relationship));
  if (input.tag) where.push(sql`${contacts.tags} @> array[${input.tag}]::text[]`);
  if (input.minPriority !== undefined) where.push(sql`${contacts.priority} >= ${input.minPriority}`);
  if (input.optedOut !== undefined) where.push(eq(contacts.optedOut, input.optedOut));
  if (input.interactedSince) where.push(sql`${contacts.lastInteractionAt} >= ${input.interactedSince}`);
  if (input.field) where.push(await fieldFilter(db, input.field));

  const cursor = input.cursor
    ? decodeCursor(input.cursor, z.object({ key: CURSOR_KEYS[input.sort], id: z.uuid() }))
    : null;
  let order: SQL[];
  if (input.sort === "name") {
    order = [asc(sql`coalesce(${contacts.name}, '')`), asc(contacts.id)];
    if (cursor) {
      where.push(sql`(coalesce(${contacts.name}, ''), ${contacts.id}) > (${cursor.key ?? ""}, ${cursor.id}::uuid)`);
    }
  } else if (input.sort === "newest") {
    order = [desc(contacts.firstSeenAt), desc(contacts.id)];
    if (cursor)
      where.push(sql`(${contacts.firstSeenAt}, ${contacts.id}) < (${cursor.key}::timestamptz, ${cursor.id}::uuid)`);
  } else {
    // As contacts_recent_idx sorts (never heard from = -infinity, last), so the index serves both
    // the order and the keyset.
    order = [sql`${RECENT_KEY} desc`, sql`${contacts.id} desc nulls last`];
    if (cursor) {
      where.push(
        sql`(${RECENT_KEY}, ${contacts.id}) < (${cursor.key ?? "-infinity"}::timestamptz, ${cursor.id}::uuid)`,
      );
    }
  }
  const rows = await db
    .select({
      id: contacts.id,
      waId: contacts.waId,
      name: contacts.name,
      relationship: contacts.relationship,
      priority: contacts.priority,
      tags: contacts.tags,
      optedOut: contacts.optedOut,
      optedInAt: contacts.optedInAt,
      optInSource: contacts.optInSource,
      optedOutAt: contacts.optedOutAt,
      blocked: contacts.blocked,
      profileId: contacts.profileId,
      firstSeenAt: contacts.firstSeenAt,
      lastInteractionAt: contacts.lastInteractionAt,
      fields: contacts.fields,
      sortKey:
        input.sort === "name"
          ? sql<string | null>`coalesce(${contacts.name}, '')`
          : input.sort === "newest"
            ? cursorInstant(contacts.firstSeenAt)
            : cursorInstant(contacts.lastInteractionAt),
    })
    .from(contacts)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(...order)
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    contacts: page.map(({ sortKey: _key, ...contact }) => contact),
    next: rows.length > input.limit && last ? encodeCursor({ key: last.sortKey, id: last.id }) : null,
  };
}

/** The condition of a list filter on a custom field's value; a value the field cannot hold is refused. */
async function fieldFilter(db: TDbOrTx, filter: { key: string; op: "eq" | "before" | "after"; value: string }) {
  const field = (await loadContactFields(db)).find((candidate) => candidate.key === filter.key);
  if (!field) throw unknownFieldError(filter.key);
  const coerced = coerceFieldValue(field, filter.value);
  if (!coerced.ok) throw new AppError("BAD_REQUEST", coerced.reason, { "field.value": coerced.reason });
  const stored = sql`${contacts.fields} -> ${field.key}::text`;
  if (coerced.value === null) return sql`not (${contacts.fields} ? ${field.key}::text)`;
  if (filter.op === "eq" || (field.type !== "number" && field.type !== "date")) {
    return sql`${stored} = ${JSON.stringify(coerced.value)}::jsonb`;
  }
  const compare = filter.op === "before" ? sql`<` : sql`>`;
  // jsonb compares numbers as numbers and strings (YYYY-MM-DD) in date order; the type guards a stray value.
  const kind = field.type === "number" ? "number" : "string";
  return sql`(jsonb_typeof(${stored}) = ${kind} and ${stored} ${compare} ${JSON.stringify(coerced.value)}::jsonb)`;
}

export const ZContactInput = z.object({
  phone: z.string().trim().min(1, "Enter the phone number").max(40),
  name: z.string().trim().max(120).nullable().default(null),
  relationship: z.enum(RELATIONSHIPS).default("other"),
  priority: z.number().int().min(0).max(100).default(0),
  tags: z.array(z.string().trim().min(1).max(40)).max(MAX_CONTACT_TAGS).default([]),
  profileId: z.uuid().nullable().default(null),
  notes: z.string().max(10_000).default(""),
  optedOut: z.boolean().default(false),
  /**
   * Consent to messages we start (server/contacts/consent.ts): true records when and how (and
   * opts a contact back in after an opt-out), false clears it; left out, unchanged.
   */
  optedIn: z.boolean().optional(),
  blocked: z.boolean().default(false),
  /** The WhatsApp session the contact belongs to (default: the first one). */
  sessionId: z.uuid().optional(),
});
export type TContactInput = z.input<typeof ZContactInput>;

function duplicate(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("CONFLICT", "A contact with this number exists already.", { phone: "Already a contact" });
  }
  throw error;
}

/** The session a contact added by hand or by import belongs to when none is named: the first one. */
export async function findDefaultSessionId(db: TDbOrTx): Promise<string | null> {
  const [session] = await db.select({ id: waSessions.id }).from(waSessions).orderBy(asc(waSessions.createdAt)).limit(1);
  return session?.id ?? null;
}

/**
 * Saves a contact (new when `id` is null); the number is stored as E.164. Consent changes are
 * recorded with `consentSource` as the opt-in's source (staff: `agent`; the REST API: `api`).
 */
export async function saveContact(
  db: TDb,
  actor: TActor,
  id: string | null,
  raw: TContactInput,
  { consentSource = "agent" }: { consentSource?: TOptInSource } = {},
) {
  const { phone, sessionId, tags, optedIn, optedOut, ...fields } = ZContactInput.parse(raw);
  const consentAt = new Date();
  // A stored number (this contact's own, unchanged) is never judged again; nor is an address that
  // is not a number (a contact known only by their LID, `…@lid`), kept as it is.
  const [current] = id ? await db.select({ waId: contacts.waId }).from(contacts).where(eq(contacts.id, id)) : [];
  const waId = current?.waId === phone ? phone : await resolvePhoneNumber(db, phone);
  const values = { ...fields, waId, tags: [...new Set(tags)] };
  return db
    .transaction(async (tx) => {
      if (values.profileId) {
        const [profile] = await tx
          .select({ id: contextProfiles.id })
          .from(contextProfiles)
          .where(eq(contextProfiles.id, values.profileId));
        if (!profile) {
          throw new AppError("BAD_REQUEST", "That context profile no longer exists.", { profileId: "Unknown profile" });
        }
      }
      if (!id) {
        const session = sessionId ?? (await findDefaultSessionId(tx));
        if (!session) throw new AppError("CONFLICT", "There is no WhatsApp session to add contacts to yet.");
        if (sessionId) {
          const [known] = await tx.select({ id: waSessions.id }).from(waSessions).where(eq(waSessions.id, sessionId));
          if (!known)
            throw new AppError("NOT_FOUND", "There is no such WhatsApp session.", { sessionId: "Unknown session" });
        }
        const consent = consentChange(null, { optedIn, optedOut }, consentSource, consentAt);
        const [created] = await tx
          .insert(contacts)
          .values({ ...values, ...consent, sessionId: session })
          .returning();
        await recordAudit(tx, actor, { action: "create", entity: "contact", entityId: created!.id, after: created });
        await recordEvents(tx, [
          { type: "contact.created", sessionId: session, contactId: created!.id, payload: { by: actor?.id ?? null } },
        ]);
        return created!;
      }
      const [before] = await tx.select().from(contacts).where(eq(contacts.id, id)).for("update");
      if (!before) throw new AppError("NOT_FOUND", "This contact no longer exists.");
      if (before.waId !== waId && identityOfAddress(before.waId).kind === "phone") {
        // A corrected number replaces the old one: the old number no longer reaches this contact.
        // (A number that is another contact's is refused by the unique identity: "exists already".
        // One of this contact's own other numbers becomes its primary address and both stay.)
        await tx
          .update(contactIdentities)
          .set({ value: waId, source: "staff" })
          .where(
            and(
              eq(contactIdentities.contactId, id),
              eq(contactIdentities.kind, "phone"),
              eq(contactIdentities.value, before.waId),
              sql`not exists (select 1 from ${contactIdentities} own where own.contact_id = ${id}
                and own.kind = 'phone' and own.value = ${waId})`,
            ),
          );
      }
      const [updated] = await tx
        .update(contacts)
        .set({
          ...values,
          ...consentChange(before, { optedIn, optedOut }, consentSource, consentAt),
          updatedAt: new Date(),
        })
        .where(eq(contacts.id, id))
        .returning();
      await recordAudit(tx, actor, { action: "update", entity: "contact", entityId: id, before, after: updated });
      await recordEvents(tx, [
        { type: "contact.updated", sessionId: before.sessionId, contactId: id, payload: { by: actor?.id ?? null } },
      ]);
      return updated!;
    })
    .catch(duplicate);
}

/** A change to a contact found by number: only the fields given change (the REST API's upsert). */
export const ZContactUpsert = z.object({
  phone: ZContactInput.shape.phone,
  name: z.string().trim().max(120).nullable().optional(),
  relationship: z.enum(RELATIONSHIPS).optional(),
  priority: z.number().int().min(0).max(100).optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(MAX_CONTACT_TAGS).optional(),
  notes: z.string().max(10_000).optional(),
  optedOut: z.boolean().optional(),
  /** true: the contact agreed to messages we start, recorded with the source `api` (and an opt-out cleared). */
  optedIn: z.boolean().optional(),
  blocked: z.boolean().optional(),
  /** Custom field values by key (null clears one); fields left out keep their values. */
  fields: ZFieldValues.optional(),
});

/** Creates the contact with this number (in the default session), or changes the given fields of it. */
export async function upsertContactByPhone(db: TDb, actor: TActor, raw: z.input<typeof ZContactUpsert>) {
  const { fields, ...input } = ZContactUpsert.parse(raw);
  // Field values are checked before anything is written: a bad one changes nothing.
  if (fields) {
    const checked = coerceFieldValues(await loadContactFields(db), fields);
    if (!checked.ok) {
      throw new AppError("BAD_REQUEST", Object.values(checked.errors)[0] ?? "", prefixKeys(checked.errors));
    }
  }
  const waId = await resolvePhoneNumber(db, input.phone);
  const sessionId = await findDefaultSessionId(db);
  // Found through identities: a second number merged into a contact reaches that contact.
  const existing = sessionId ? await findContactByIdentity(db, sessionId, { kind: "phone", value: waId }) : null;
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  let contact = existing
    ? await saveContact(
        db,
        actor,
        existing.id,
        {
          name: existing.name,
          relationship: existing.relationship,
          priority: existing.priority,
          tags: existing.tags,
          profileId: existing.profileId,
          notes: existing.notes,
          optedOut: existing.optedOut,
          blocked: existing.blocked,
          ...given,
          // The contact keeps its primary address, whichever of its numbers was named.
          phone: existing.waId,
        },
        { consentSource: "api" },
      )
    : await saveContact(db, actor, null, { ...given, phone: waId }, { consentSource: "api" });
  if (fields && Object.keys(fields).length > 0) {
    const saved = contact;
    const values = await db.transaction((tx) => setContactFieldValues(tx, saved.id, fields, actor));
    contact = { ...saved, fields: values };
  }
  return { contact, created: !existing };
}

/** Field errors keyed as the API's body names them: `fields.<key>`. */
function prefixKeys(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([key, message]) => [`fields.${key}`, message]));
}

/**
 * One contact with their profile name and the latest messages of their conversation (oldest
 * first), media with signed links when `options.media` says how to sign them.
 */
export async function getContact(
  db: TDbOrTx,
  id: string,
  options: { before?: number; limit?: number; media?: TMediaLinkOptions } = {},
) {
  const [row] = await db
    .select({ contact: contacts, profileName: contextProfiles.name, thread: threads })
    .from(contacts)
    .leftJoin(contextProfiles, eq(contextProfiles.id, contacts.profileId))
    .leftJoin(threads, eq(threads.contactId, contacts.id))
    .where(eq(contacts.id, id));
  if (!row) throw new AppError("NOT_FOUND", "This contact no longer exists.");
  const history = row.thread
    ? await db
        .select({
          id: messages.id,
          seq: messages.seq,
          direction: messages.direction,
          type: messages.type,
          body: messages.body,
          content: messages.content,
          source: messages.source,
          status: messages.status,
          createdAt: messages.createdAt,
        })
        .from(messages)
        .where(
          and(
            eq(messages.threadId, row.thread.id),
            options.before ? lt(messages.seq, options.before) : gt(messages.seq, 0),
          ),
        )
        .orderBy(desc(messages.seq))
        .limit(options.limit ?? 100)
    : [];
  return {
    ...row.contact,
    profileName: row.profileName,
    thread: row.thread,
    identities: await listIdentities(db, id),
    history: await attachMediaLinks(
      db,
      history.reverse().map((message) => ({ ...message, content: contentOfRow(message) })),
      options.media,
    ),
  };
}
