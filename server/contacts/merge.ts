import { and, eq, inArray, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contactIdentities, contacts, messages, THREAD_PRIORITIES, threadNotes, threads } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { serverText } from "~/server/i18n/domain";
import { AppError } from "~/server/errors";
import { recordEvents } from "~/server/events/events";
import { pgArray } from "~/server/lib/sql";
import { THREAD_SEND_LOCK } from "~/server/messaging/outbound";
import { mergeConversations } from "~/server/conversations/state";
import { addressOf, identityOfAddress, isValidIdentity, type TIdentity, type TIdentitySource } from "./address";

/**
 * Merging two contacts who turned out to be one person (an engine reported that a LID is a phone
 * number, or staff merged them by hand). The older contact survives and takes over everything
 * the other had: identities, the conversation (one thread per contact: the two threads become
 * the survivor's, messages, notes and read marks re-pointed), rule hits, response times and
 * events; tags are joined, fields are the survivor's where it has them, blocked and opted out are
 * the stricter. All in one transaction with the contacts locked before their threads (ingest's
 * order, so no deadlock with a message arriving meanwhile). Recorded as a `contact.merged`
 * event and an audit entry with what moved. There is no undo: separating them again is done by
 * hand (the audit entry keeps both contacts as they were).
 */

type TContactRow = typeof contacts.$inferSelect;
type TThreadRow = typeof threads.$inferSelect;

/** Who merged: a person (their id), an engine's report, or a message that named both identities. */
export type TMergeBy = { userId: string } | "engine" | "message";

export type TMergeSide = {
  contact: TContactRow;
  thread: TThreadRow | null;
  identities: TIdentity[];
  messages: number;
  notes: number;
};

const MERGED_FIELDS = [
  "name",
  "relationship",
  "priority",
  "profileId",
  "notes",
  "optedOut",
  "blocked",
  "firstSeenAt",
  "lastInteractionAt",
] as const;

export type TFieldDecision = {
  field: (typeof MERGED_FIELDS)[number] | "waId";
  survivor: unknown;
  absorbed: unknown;
  result: unknown;
};

/** What a merge does, worked out before anything changes: the preview shows it, the merge applies it. */
export type TMergePlan = ReturnType<typeof planContactMerge>;

function isOlder(a: TContactRow, b: TContactRow): boolean {
  const byTime = a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime();
  return byTime !== 0 ? byTime < 0 : a.id < b.id;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a < b ? a : b;
}

/**
 * The merge of two contacts, pure: who survives (the older), the contact's fields afterwards and
 * where each came from, the tags, the identities that move, and the thread's state afterwards.
 */
export function planContactMerge(first: TMergeSide, second: TMergeSide) {
  const [survivor, absorbed] = isOlder(first.contact, second.contact) ? [first, second] : [second, first];
  const s = survivor.contact;
  const a = absorbed.contact;
  const notes = [s.notes.trim(), a.notes.trim()].filter(Boolean);
  const merged = {
    name: s.name ?? a.name,
    relationship: s.relationship !== "other" ? s.relationship : a.relationship,
    priority: Math.max(s.priority, a.priority),
    profileId: s.profileId ?? a.profileId,
    // Notes are what staff wrote: both are kept.
    notes: notes.length === 2 && notes[0] !== notes[1] ? `${notes[0]}\n\n${notes[1]}` : (notes[0] ?? ""),
    optedOut: s.optedOut || a.optedOut,
    blocked: s.blocked || a.blocked,
    firstSeenAt: earliest(s.firstSeenAt, a.firstSeenAt)!,
    lastInteractionAt: latest(s.lastInteractionAt, a.lastInteractionAt),
  };
  const tags = [...new Set([...s.tags, ...a.tags])];
  // The survivor wins where both have a value.
  const attributes = { ...a.attributes, ...s.attributes };
  // Custom fields likewise: the survivor keeps its values and takes the absorbed contact's for keys it lacks.
  const customFields = { ...a.fields, ...s.fields };
  // The primary address: the phone when known (the survivor's, else the absorbed contact's).
  const identities = [...survivor.identities, ...absorbed.identities];
  const phone =
    identityOfAddress(s.waId).kind === "phone"
      ? null
      : identityOfAddress(a.waId).kind === "phone"
        ? a.waId
        : (identities.find((identity) => identity.kind === "phone")?.value ?? null);
  const waId = phone ?? s.waId;
  const fields: TFieldDecision[] = MERGED_FIELDS.flatMap((field) => {
    const values = [s[field], a[field], merged[field]].map((value) =>
      value instanceof Date ? value.toISOString() : value,
    );
    return values[0] === values[1] ? [] : [{ field, survivor: values[0], absorbed: values[1], result: values[2] }];
  });
  if (waId !== s.waId) fields.unshift({ field: "waId", survivor: s.waId, absorbed: a.waId, result: waId });
  const thread = planThreadMerge(survivor.thread, absorbed.thread);
  return {
    survivor,
    absorbed,
    contact: { ...merged, tags, attributes, fields: customFields, waId },
    fields,
    tags: { survivor: s.tags, absorbed: a.tags, result: tags },
    attributes: {
      survivor: s.attributes,
      absorbed: a.attributes,
      result: attributes,
      overridden: Object.keys(a.attributes).filter(
        (key) => key in s.attributes && JSON.stringify(s.attributes[key]) !== JSON.stringify(a.attributes[key]),
      ),
    },
    customFields: {
      survivor: s.fields,
      absorbed: a.fields,
      result: customFields,
      overridden: Object.keys(a.fields).filter((key) => key in s.fields && s.fields[key] !== a.fields[key]),
    },
    identities: { kept: survivor.identities, moving: absorbed.identities },
    /** `merge`: both have a thread (one remains); `move`: only the absorbed one has (it changes hands); `none`. */
    threadAction: thread.action,
    thread: thread.values,
    moves: { messages: absorbed.messages, notes: absorbed.notes, identities: absorbed.identities.length },
  };
}

function planThreadMerge(s: TThreadRow | null, a: TThreadRow | null) {
  if (!a) return { action: "none" as const, values: null };
  if (!s) return { action: "move" as const, values: null };
  // People stay in charge if either conversation was theirs; else the bot, unless both are closed.
  const human = s.mode === "human" ? s : a.mode === "human" ? a : null;
  const mode = human ? "human" : s.mode === "closed" && a.mode === "closed" ? "closed" : "bot";
  const newer = (a.lastMessageAt?.getTime() ?? 0) > (s.lastMessageAt?.getTime() ?? 0) ? a : s;
  return {
    action: "merge" as const,
    values: {
      mode,
      assignedUserId: human ? (human.assignedUserId ?? (human === s ? a : s).assignedUserId) : null,
      // The team queue follows the people's conversation, as the owner does.
      teamId: human ? (human.teamId ?? (human === s ? a : s).teamId) : s.teamId,
      lastMessageAt: latest(s.lastMessageAt, a.lastMessageAt),
      handoffAt: latest(s.handoffAt, a.handoffAt),
      awaitingSince: earliest(s.awaitingSince, a.awaitingSince),
      humanActiveAt: latest(s.humanActiveAt, a.humanActiveAt),
      closedAt: mode === "closed" ? latest(s.closedAt, a.closedAt) : null,
      topics: [...new Set([...s.topics, ...a.topics])],
      sentiment: newer.sentiment ?? (newer === s ? a : s).sentiment,
      sentimentScore: newer.sentimentScore ?? (newer === s ? a : s).sentimentScore,
      autoRepliesAt: [...s.autoRepliesAt, ...a.autoRepliesAt].sort((x, y) => x.getTime() - y.getTime()),
      botPausedAt: latest(s.botPausedAt, a.botPausedAt),
      // Staff's marks: every label of either, the higher priority.
      labels: [...new Set([...s.labels, ...a.labels])],
      priority: THREAD_PRIORITIES.indexOf(a.priority) > THREAD_PRIORITIES.indexOf(s.priority) ? a.priority : s.priority,
    } satisfies Partial<TThreadRow>,
  };
}

async function loadSide(db: TDbOrTx, contact: TContactRow, thread: TThreadRow | null): Promise<TMergeSide> {
  const identities = await db
    .select({ kind: contactIdentities.kind, value: contactIdentities.value })
    .from(contactIdentities)
    .where(eq(contactIdentities.contactId, contact.id))
    .orderBy(contactIdentities.createdAt, contactIdentities.kind, contactIdentities.value);
  const [counts] = thread
    ? await db
        .execute<{ messages: number; notes: number }>(
          sql`
        select (select count(*)::int from ${messages} where thread_id = ${thread.id}) as messages,
          (select count(*)::int from ${threadNotes} where thread_id = ${thread.id}) as notes`,
        )
        .then((r) => r.rows)
    : [{ messages: 0, notes: 0 }];
  return { contact, thread, identities, messages: counts?.messages ?? 0, notes: counts?.notes ?? 0 };
}

function checkPair(ids: readonly [string, string], rows: readonly TContactRow[]): [TContactRow, TContactRow] {
  if (ids[0] === ids[1]) {
    throw new AppError("BAD_REQUEST", "Choose another contact: a contact cannot be merged with itself.", {
      otherId: "Choose another contact",
    });
  }
  const first = rows.find((row) => row.id === ids[0]);
  const second = rows.find((row) => row.id === ids[1]);
  if (!first || !second) {
    throw new AppError("NOT_FOUND", "One of these contacts no longer exists (it may have been merged already).");
  }
  if (first.sessionId !== second.sessionId) {
    throw new AppError(
      "BAD_REQUEST",
      "These contacts write to different WhatsApp sessions; only contacts of one session can be merged.",
      { otherId: "A contact of another session" },
    );
  }
  return [first, second];
}

function sideSummary(side: TMergeSide) {
  const { contact } = side;
  return {
    id: contact.id,
    waId: contact.waId,
    name: contact.name,
    firstSeenAt: contact.firstSeenAt,
    identities: side.identities,
    messages: side.messages,
    hasThread: side.thread !== null,
  };
}

/** A plan as the preview shows it: the two contacts, what moves, and which values win. */
export function summariseMergePlan(plan: TMergePlan) {
  return {
    survivor: sideSummary(plan.survivor),
    absorbed: sideSummary(plan.absorbed),
    fields: plan.fields,
    tags: plan.tags,
    attributes: plan.attributes,
    customFields: plan.customFields,
    identities: plan.identities,
    threadAction: plan.threadAction,
    moves: plan.moves,
  };
}

/** What merging these two contacts would do, changing nothing (the staff preview). */
export async function previewContactMerge(db: TDbOrTx, id: string, otherId: string) {
  return summariseMergePlan(await planMergeOf(db, id, otherId));
}

async function planMergeOf(db: TDbOrTx, id: string, otherId: string) {
  const rows = await db
    .select()
    .from(contacts)
    .where(inArray(contacts.id, [id, otherId]));
  const [first, second] = checkPair([id, otherId], rows);
  const threadRows = await db
    .select()
    .from(threads)
    .where(inArray(threads.contactId, [id, otherId]));
  const threadOf = (contactId: string) => threadRows.find((row) => row.contactId === contactId) ?? null;
  return planContactMerge(
    await loadSide(db, first, threadOf(first.id)),
    await loadSide(db, second, threadOf(second.id)),
  );
}

export type TMergeResult = {
  survivorId: string;
  absorbedId: string;
  threadId: string | null;
  plan: TMergePlan;
};

/**
 * Merges two contacts of one session into the older one (see the module comment), in the
 * caller's transaction. Takes the send locks of both conversations first (a reply being sent
 * finishes before its message moves), then the contacts and their threads, in ingest's order.
 */
export async function mergeContactsTx(
  tx: TTx,
  boss: PgBoss,
  actor: TActor,
  by: TMergeBy,
  ids: readonly [string, string],
): Promise<TMergeResult> {
  if (ids[0] === ids[1]) checkPair(ids, []);
  // One sender per thread (server/messaging/outbound.ts): wait for sends in flight in either
  // conversation, and keep new ones out until the messages have moved. Taken before any row
  // lock, in the senders' order, so a sender recording a send never waits for us.
  const known = await tx
    .select({ id: threads.id })
    .from(threads)
    .where(inArray(threads.contactId, [...ids]));
  if (known.length > 0) {
    await tx.execute(sql`
      select pg_advisory_xact_lock(${THREAD_SEND_LOCK}, h)
      from (select distinct hashtext(t) as h from unnest(${pgArray(
        known.map((row) => row.id),
        "text",
      )}) as t order by 1) as locks`);
  }
  // Ingest's and message.process's order: contacts by number, then their threads.
  const locked = await tx.execute<{ id: string }>(sql`
    select id from ${contacts} where id = any(${pgArray([...ids], "uuid")})
    order by session_id, wa_id for update`);
  const rows = await tx
    .select()
    .from(contacts)
    .where(
      inArray(
        contacts.id,
        locked.rows.map((row) => row.id),
      ),
    );
  const [first, second] = checkPair(ids, rows);
  await tx.execute(sql`
    select id from ${threads} where contact_id = any(${pgArray([...ids], "uuid")}) order by contact_id for update`);
  const threadRows = await tx
    .select()
    .from(threads)
    .where(inArray(threads.contactId, [...ids]));
  const threadOf = (contactId: string) => threadRows.find((row) => row.contactId === contactId) ?? null;
  const plan = planContactMerge(
    await loadSide(tx, first, threadOf(first.id)),
    await loadSide(tx, second, threadOf(second.id)),
  );
  const s = plan.survivor.contact;
  const a = plan.absorbed.contact;
  const st = plan.survivor.thread;
  const at = plan.absorbed.thread;

  await tx.update(contactIdentities).set({ contactId: s.id }).where(eq(contactIdentities.contactId, a.id));
  const threadId = await mergeConversations(tx, boss, {
    survivor: st,
    absorbed: at,
    contactId: s.id,
    state: plan.thread,
  });
  await tx.execute(sql`update events set contact_id = ${s.id} where contact_id = ${a.id}`);
  // The absorbed contact goes first: its address may become the survivor's (unique per session).
  await tx.delete(contacts).where(eq(contacts.id, a.id));
  const [after] = await tx
    .update(contacts)
    .set({ ...plan.contact, updatedAt: new Date() })
    .where(eq(contacts.id, s.id))
    .returning();

  const moved = {
    identities: plan.identities.moving,
    messages: plan.moves.messages,
    notes: plan.moves.notes,
    thread: plan.threadAction,
  };
  await recordEvents(tx, [
    {
      type: "contact.merged",
      sessionId: s.sessionId,
      contactId: s.id,
      threadId,
      payload: {
        by: typeof by === "string" ? by : by.userId,
        mergedContactId: a.id,
        identities: plan.identities.moving,
        messages: plan.moves.messages,
      },
    },
  ]);
  await recordAudit(tx, actor, {
    action: "merge",
    entity: "contact",
    entityId: s.id,
    before: { survivor: s, absorbed: a, survivorThread: st, absorbedThread: at },
    after: { contact: after, moved, fields: plan.fields },
  });
  return { survivorId: s.id, absorbedId: a.id, threadId, plan };
}

/** A staff merge: its own transaction (see mergeContactsTx). */
export async function mergeContacts(
  db: TDb,
  boss: PgBoss,
  actor: NonNullable<TActor>,
  id: string,
  otherId: string,
): Promise<TMergeResult> {
  return db.transaction((tx) =>
    mergeContactsTx(tx, boss, actor, actor.id ? { userId: actor.id } : "engine", [id, otherId]),
  );
}

export type TLinkOutcome =
  | { status: "unknown" }
  | { status: "linked"; contactId: string }
  | { status: "already"; contactId: string }
  | { status: "merged"; contactId: string; mergedContactId: string };

/**
 * An engine (or a message) says a LID and a phone number are one person. If both identities
 * belong to two contacts, they are merged into the older; if only one is known, the other is
 * attached to that contact (a LID-only contact takes the phone as its primary address); if the
 * two are one contact already, nothing changes (so reporting a link again is harmless); if
 * neither is known, nothing is stored (the next message from either creates the contact).
 */
export async function linkIdentities(
  db: TDb,
  boss: PgBoss,
  sessionId: string,
  link: { lid: string; phone: string },
  source: TIdentitySource,
): Promise<TLinkOutcome> {
  const lid: TIdentity = { kind: "lid", value: link.lid.replace(/(?::\d+)?@lid$/, "") };
  const phone: TIdentity = { kind: "phone", value: link.phone.startsWith("+") ? link.phone : `+${link.phone}` };
  if (!isValidIdentity(lid) || !isValidIdentity(phone)) {
    throw new AppError("BAD_REQUEST", serverText("contacts.cannotLink", { lid: link.lid, phone: link.phone }));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const holders = await holdersOf(tx, sessionId, [lid, phone]);
        const [lidHolder, phoneHolder] = [holders.get("lid"), holders.get("phone")];
        if (!lidHolder && !phoneHolder) return { status: "unknown" } as const;
        if (lidHolder && phoneHolder && lidHolder !== phoneHolder) {
          const result = await mergeContactsTx(tx, boss, null, mergeByOf(source), [lidHolder, phoneHolder]);
          // Another merge may have moved an identity between our look and our locks.
          const after = await holdersOf(tx, sessionId, [lid, phone]);
          if (after.get("lid") !== result.survivorId || after.get("phone") !== result.survivorId) throw new LinkRace();
          return { status: "merged", contactId: result.survivorId, mergedContactId: result.absorbedId } as const;
        }
        const holder = (lidHolder ?? phoneHolder)!;
        const [contact] = await tx.select().from(contacts).where(eq(contacts.id, holder)).for("update");
        if (!contact) throw new LinkRace();
        const recheck = await holdersOf(tx, sessionId, [lid, phone]);
        if ((recheck.get("lid") ?? holder) !== holder || (recheck.get("phone") ?? holder) !== holder) {
          throw new LinkRace();
        }
        if (lidHolder && phoneHolder) return { status: "already", contactId: holder } as const;
        const missing = lidHolder ? phone : lid;
        const inserted = await tx
          .insert(contactIdentities)
          .values({ sessionId, contactId: holder, kind: missing.kind, value: missing.value, source })
          .onConflictDoNothing()
          .returning({ id: contactIdentities.id });
        if (inserted.length === 0) throw new LinkRace();
        if (missing.kind === "phone" && identityOfAddress(contact.waId).kind !== "phone") {
          await tx
            .update(contacts)
            .set({ waId: addressOf(missing), updatedAt: new Date() })
            .where(eq(contacts.id, holder));
        }
        return { status: "linked", contactId: holder } as const;
      });
    } catch (error) {
      if (attempt >= 3 || !(error instanceof LinkRace || isIdentityRace(error))) throw error;
    }
  }
}

function mergeByOf(source: TIdentitySource): TMergeBy {
  return source === "message" ? "message" : "engine";
}

class LinkRace extends Error {
  constructor() {
    super("the contacts changed while linking; trying again");
  }
}

async function holdersOf(tx: TDbOrTx, sessionId: string, list: readonly TIdentity[]) {
  const rows = await tx
    .select({ kind: contactIdentities.kind, value: contactIdentities.value, contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(
      and(
        eq(contactIdentities.sessionId, sessionId),
        sql`(${contactIdentities.kind}, ${contactIdentities.value}) in (${sql.join(
          list.map((identity) => sql`(${identity.kind}::contact_identity_kind, ${identity.value})`),
          sql`, `,
        )})`,
      ),
    );
  return new Map(rows.map((row) => [row.kind, row.contactId]));
}

/**
 * Whether a database error means a contact merge changed the contacts a statement was working
 * on (an identity that became another contact's, a contact that is gone): trying again reads
 * the merged state.
 */
export function isIdentityRace(error: unknown): boolean {
  const cause = ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint?: string };
  if (cause.code === "23505") return cause.constraint === "contact_identities_session_kind_value_key";
  if (cause.code === "23503") return cause.constraint === "contact_identities_contact_id_contacts_id_fk";
  return false;
}
