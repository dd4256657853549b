import { and, desc, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { contacts, messages, threadReads, threads, users } from "~/db/schema";
import type { TSessionUser } from "~/server/auth/roles";
import { cursorInstant, decodeCursor, encodeCursor, zCursor, ZStorableInstant } from "~/server/lib/cursor";

export const INBOX_FILTERS = ["needs_human", "mine", "unassigned", "bot", "closed", "all", "snoozed"] as const;
export type TInboxFilter = (typeof INBOX_FILTERS)[number];

/** Unread counts stop here ("99+"): counting a long unread history exactly is not worth it. */
export const UNREAD_CAP = 99;
/** Threads a person owns are few; their filters show them all, most urgent first, up to this. */
const HUMAN_LIST_LIMIT = 200;

/** Where a page of threads ended: its last thread's latest-message time (microseconds kept) and id. */
const ZThreadCursor = z.object({ at: ZStorableInstant, id: z.uuid() });

export const ZInboxListInput = z.object({
  filter: z.enum(INBOX_FILTERS).default("needs_human"),
  search: z.string().trim().max(100).default(""),
  /** For the bot, closed and all filters (keyset on the latest message, to the microsecond). */
  cursor: zCursor(ZThreadCursor).nullable().default(null),
  limit: z.number().int().min(1).max(100).default(50),
  /** Only conversations with this label (lower case, as stored). */
  label: z.string().trim().toLowerCase().max(40).optional(),
  /**
   * Narrows the filter to one queue: a team's id (its hand-offs), `shared` (hand-offs to no
   * team), or null for every queue. A team with `unassigned` is the team's waiting queue,
   * read through `threads_team_queue_idx`.
   */
  queue: z
    .union([z.literal("shared"), z.uuid()])
    .nullable()
    .default(null),
});
export type TInboxListInput = z.input<typeof ZInboxListInput>;

/**
 * The filters, as conditions. "Needs a human": the thread is the people's (mode `human`) and
 * either nobody has it yet or the contact is waiting for an answer.
 */
function filterCondition(filter: TInboxFilter, user: TSessionUser): SQL | undefined {
  // Snoozed conversations leave every list but their own (and closed, which ignores snoozes).
  if (filter === "snoozed") return isNotNull(threads.snoozedAt);
  if (filter === "closed") return eq(threads.mode, "closed");
  return and(isNull(threads.snoozedAt), activeFilterCondition(filter, user));
}

function activeFilterCondition(filter: Exclude<TInboxFilter, "snoozed">, user: TSessionUser): SQL | undefined {
  switch (filter) {
    case "needs_human":
      return and(eq(threads.mode, "human"), or(isNull(threads.assignedUserId), isNotNull(threads.awaitingSince)));
    case "mine":
      return and(eq(threads.mode, "human"), eq(threads.assignedUserId, user.id));
    case "unassigned":
      return and(eq(threads.mode, "human"), isNull(threads.assignedUserId));
    case "bot":
      return eq(threads.mode, "bot");
    case "closed":
      return eq(threads.mode, "closed");
    case "all":
      return undefined;
  }
}

const HUMAN_FILTERS = new Set<TInboxFilter>(["needs_human", "mine", "unassigned", "snoozed"]);

/**
 * A list's order. Human filters by urgency: waiting longest first, then (needs a human only,
 * where both kinds are mixed) unassigned before assigned, then latest activity. Mine and the
 * queues leave out the unassigned-first key (it is the same for every row), so their order is
 * the one of `threads_human_idx`, `threads_team_queue_order_idx` and
 * `threads_unassigned_order_idx`, and a first page is read from the index rather than sorted
 * (`npm run bench -- inbox`). The others: latest message first (keyset pages).
 */
function listOrder(filter: TInboxFilter): SQL[] {
  const urgency = [sql`${threads.awaitingSince} asc nulls last`];
  const latest = [desc(threads.lastMessageAt), desc(threads.id)];
  switch (filter) {
    case "needs_human":
      return [...urgency, sql`${threads.assignedUserId} is not null`, ...latest];
    case "mine":
    case "unassigned":
      return [...urgency, ...latest];
    default:
      return latest;
  }
}

/**
 * The inbox's thread list for one user: contact, owner, the latest message, how long the
 * contact has waited, learned mood and topics, and the user's unread count. Human filters are
 * sorted by urgency (waiting longest first, then unassigned, then latest activity); the bot,
 * closed and all filters by latest message, paged by keyset.
 */
export async function listInboxThreads(db: TDbOrTx, user: TSessionUser, raw: TInboxListInput = {}) {
  const input = ZInboxListInput.parse(raw);
  const human = HUMAN_FILTERS.has(input.filter);
  const search = input.search;
  const digits = search.replace(/\D/g, "");
  const conditions = [
    filterCondition(input.filter, user),
    input.queue === null
      ? undefined
      : input.queue === "shared"
        ? isNull(threads.teamId)
        : eq(threads.teamId, input.queue),
    search
      ? sql`exists (select 1 from ${contacts} c where c.id = ${threads.contactId} and (c.name ilike ${`%${search.replace(/[\\%_]/g, "\\$&")}%`}${
          digits.length >= 3 ? sql` or c.wa_id like ${`%${digits}%`}` : sql``
        }))`
      : undefined,
    !human && input.cursor
      ? sql`(${threads.lastMessageAt}, ${threads.id}) < (${input.cursor.at}::timestamptz, ${input.cursor.id}::uuid)`
      : undefined,
    human ? undefined : isNotNull(threads.lastMessageAt),
    input.label ? sql`${threads.labels} @> array[${input.label}]::text[]` : undefined,
  ];
  const limit = human ? HUMAN_LIST_LIMIT : input.limit;
  // The page's threads first, on `threads` alone (a bounded sort, or read in order from an
  // index); then, for those rows only, the contact, the owner, the latest message and the unread count.
  const pageIds = db
    .select({ id: threads.id })
    .from(threads)
    .where(and(...conditions))
    .orderBy(...listOrder(input.filter))
    .limit(limit + 1)
    .as("page_ids");
  const rows = await db
    .select({
      threadId: threads.id,
      contactId: contacts.id,
      name: contacts.name,
      waId: contacts.waId,
      mode: threads.mode,
      assignedUserId: threads.assignedUserId,
      assigneeName: users.name,
      assigneeAvailability: users.availability,
      teamId: threads.teamId,
      lastMessageAt: threads.lastMessageAt,
      cursorAt: cursorInstant(threads.lastMessageAt),
      awaitingSince: threads.awaitingSince,
      handoffAt: threads.handoffAt,
      // The SLA clocks of a team's hand-off (server/teams/sla.ts): timers and breaches in the list.
      sla: {
        firstResponseDueAt: threads.slaFirstResponseDueAt,
        resolutionDueAt: threads.slaResolutionDueAt,
        firstHumanReplyAt: threads.firstHumanReplyAt,
        firstResponseBreachedAt: threads.slaFirstResponseBreachedAt,
        resolutionBreachedAt: threads.slaResolutionBreachedAt,
      },
      sentiment: threads.sentiment,
      topics: threads.topics,
      priority: threads.priority,
      labels: threads.labels,
      snoozedAt: threads.snoozedAt,
      snoozedUntil: threads.snoozedUntil,
      last: sql<{ body: string; direction: "in" | "out"; source: string; at: string } | null>`(
        select json_build_object('body', left(m.body, 200), 'direction', m.direction, 'source', m.source, 'at', m.created_at)
        from ${messages} m where m.thread_id = ${threads.id} order by m.seq desc limit 1)`,
      unread: sql<number>`(
        select count(*)::int from (
          select 1 from ${messages} m
          where m.thread_id = ${threads.id} and m.direction = 'in'
            and m.seq > coalesce((select r.last_read_seq from ${threadReads} r
              where r.thread_id = ${threads.id} and r.user_id = ${user.id}), 0)
          limit ${UNREAD_CAP + 1}) u)`,
    })
    .from(pageIds)
    .innerJoin(threads, eq(threads.id, pageIds.id))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .leftJoin(users, eq(users.id, threads.assignedUserId))
    .orderBy(...listOrder(input.filter));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    threads: page.map(({ cursorAt: _cursorAt, ...thread }) => thread),
    nextCursor: !human && rows.length > limit && last?.cursorAt ? { at: last.cursorAt, id: last.threadId } : null,
    truncated: human && rows.length > limit,
  };
}

/**
 * The badge: threads that need a person, those of this user waiting for them, and unassigned
 * ones; and `queues`, the unassigned ones per queue (`teamId` null: the shared queue), one
 * grouped count over the same few human threads (teams with nothing waiting are absent).
 */
export async function inboxCounts(db: TDbOrTx, user: TSessionUser) {
  const [row] = await db
    .select({
      needsHuman: sql<number>`count(*) filter (where ${threads.assignedUserId} is null or ${threads.awaitingSince} is not null)::int`,
      mine: sql<number>`count(*) filter (where ${threads.assignedUserId} = ${user.id})::int`,
      mineWaiting: sql<number>`count(*) filter (where ${threads.assignedUserId} = ${user.id} and ${threads.awaitingSince} is not null)::int`,
      unassigned: sql<number>`count(*) filter (where ${threads.assignedUserId} is null)::int`,
    })
    .from(threads)
    .where(and(eq(threads.mode, "human"), isNull(threads.snoozedAt)));
  const queues = await inboxQueueCounts(db);
  return { ...(row ?? { needsHuman: 0, mine: 0, mineWaiting: 0, unassigned: 0 }), queues };
}

/** Waiting (human, unassigned) conversations per queue, one grouped count on `threads_team_queue_idx`'s rows. */
async function inboxQueueCounts(db: TDbOrTx) {
  return db
    .select({ teamId: threads.teamId, waiting: sql<number>`count(*)::int` })
    .from(threads)
    .where(and(eq(threads.mode, "human"), isNull(threads.assignedUserId), isNull(threads.snoozedAt)))
    .groupBy(threads.teamId);
}

export const ZApiThreadsInput = z.object({
  mode: z.enum(["bot", "human", "closed"]).optional(),
  /** The `next` of the previous page. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Threads for other systems (the REST API): latest message first, keyset pages. */
export async function listThreadsPage(db: TDbOrTx, raw: z.input<typeof ZApiThreadsInput>) {
  const input = ZApiThreadsInput.parse(raw);
  const cursor = input.cursor ? decodeCursor(input.cursor, ZThreadCursor) : null;
  const rows = await db
    .select({
      cursorAt: cursorInstant(threads.lastMessageAt),
      id: threads.id,
      mode: threads.mode,
      assignedUserId: threads.assignedUserId,
      lastMessageAt: threads.lastMessageAt,
      awaitingSince: threads.awaitingSince,
      sentiment: threads.sentiment,
      topics: threads.topics,
      contact: { id: contacts.id, phone: contacts.waId, name: contacts.name },
    })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(
      and(
        isNotNull(threads.lastMessageAt),
        input.mode ? eq(threads.mode, input.mode) : undefined,
        cursor
          ? sql`(${threads.lastMessageAt}, ${threads.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(threads.lastMessageAt), desc(threads.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    threads: page.map(({ cursorAt: _cursorAt, ...thread }) => thread),
    next: rows.length > input.limit && last?.cursorAt ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}
