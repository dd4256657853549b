import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import {
  campaignRecipients,
  campaigns,
  contacts,
  contextProfiles,
  events,
  messages,
  ruleVersions,
  threadNotes,
  threadReads,
  threads,
  users,
  waEngines,
  waSessions,
} from "~/db/schema";
import { SURVEY_FLAG, threadSatisfaction } from "~/server/teams/survey";
import type { TSessionUser } from "~/server/auth/roles";
import { serviceWindowOf } from "~/server/conversations/window";
import { AppError } from "~/server/errors";
import { attachMediaLinks, type TMediaLinkOptions } from "~/server/media/links";
import { contentOfRow, type TMessageContent } from "~/server/messages/content";
import { botPausedUntil } from "~/server/messaging/reply-cap";
import { readEngineCapabilities } from "~/server/sessions/engine-capabilities";
import { getOrgSettings } from "~/server/settings/settings";

const PAGE = 100;

/**
 * The fields of a message other systems see (REST API, webhooks use the same names). Put a
 * row through `withContent` before it leaves: its content, checked (and read from type and body
 * on a row that has none).
 */
export const publicMessageColumns = {
  id: messages.id,
  threadId: messages.threadId,
  direction: messages.direction,
  type: messages.type,
  body: messages.body,
  content: messages.content,
  source: messages.source,
  status: messages.status,
  error: messages.error,
  waMessageId: messages.waMessageId,
  createdAt: messages.createdAt,
  queuedAt: messages.queuedAt,
  sentAt: messages.sentAt,
  deliveredAt: messages.deliveredAt,
  readAt: messages.readAt,
  failedAt: messages.failedAt,
};

/** A message row with its content as the content model reads it (`contentOfRow`). */
export function withContent<T extends { content: unknown; type: string; body: string }>(
  row: T,
): Omit<T, "content"> & { content: TMessageContent } {
  return { ...row, content: contentOfRow(row) };
}

export const ZInboxThreadInput = z.object({
  threadId: z.uuid(),
  /** Older messages: those before this `seq`. */
  before: z.number().int().positive().optional(),
});

/**
 * One conversation for the inbox: the thread (owner, mood, topics), the contact and their
 * profile, the latest messages (direction, source, status; for a bot reply, the rule and version
 * that wrote it; for an agent's, who; for a contact's the bot left unanswered, why) and the
 * internal notes of the same stretch of time. Media comes with signed links (`mediaLinks`), and the
 * thread with what its number's engine can send (`capabilities`), so the composer offers only that,
 * and its 24-hour window (`window`), so outside it the composer offers only templates.
 */
export async function getInboxThread(
  db: TDbOrTx,
  raw: z.input<typeof ZInboxThreadInput>,
  options: { media: TMediaLinkOptions },
) {
  const input = ZInboxThreadInput.parse(raw);
  const assignee = alias(users, "assignee");
  const [row] = await db
    .select({
      thread: threads,
      contact: contacts,
      profileName: contextProfiles.name,
      assigneeName: assignee.name,
      capabilities: waEngines.capabilities,
    })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .leftJoin(waSessions, eq(waSessions.id, contacts.sessionId))
    .leftJoin(waEngines, eq(waEngines.kind, waSessions.kind))
    .leftJoin(contextProfiles, eq(contextProfiles.id, contacts.profileId))
    .leftJoin(assignee, eq(assignee.id, threads.assignedUserId))
    .where(eq(threads.id, input.threadId));
  if (!row) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  const author = alias(users, "author");
  const recent = await db
    .select({
      ...publicMessageColumns,
      seq: messages.seq,
      ruleId: messages.ruleId,
      ruleVersion: messages.ruleVersion,
      ruleName: sql<string | null>`(
        select r->>'name' from ${ruleVersions} v, jsonb_array_elements(v.snapshot) r
        where v.version = ${messages.ruleVersion} and r->>'id' = ${messages.ruleId}::text limit 1)`,
      authorName: author.name,
      aiLatencyMs: messages.aiLatencyMs,
      noReplyReason: messages.noReplyReason,
      /** One of the satisfaction survey's messages (server/teams/survey.ts). */
      survey: sql<boolean>`${SURVEY_FLAG} = any(${messages.flags})`,
      /** The campaign a campaign's message belongs to (by its unique message index). */
      campaignName: sql<string | null>`case when ${messages.source} = 'campaign' then (
        select c.name from ${campaignRecipients} cr join ${campaigns} c on c.id = cr.campaign_id
        where cr.message_id = ${messages.id}) end`,
    })
    .from(messages)
    .leftJoin(author, eq(author.id, messages.authorUserId))
    .where(and(eq(messages.threadId, input.threadId), input.before ? lt(messages.seq, input.before) : undefined))
    .orderBy(desc(messages.seq))
    .limit(PAGE + 1);
  const hasOlder = recent.length > PAGE;
  const page = await attachMediaLinks(db, recent.slice(0, PAGE).reverse().map(withContent), options.media);
  const from = hasOlder ? page[0]?.createdAt : undefined;
  // Notes up to the newer page's first message (the one at `before`), so none falls between pages.
  const until = input.before
    ? ((
        await db
          .select({ createdAt: messages.createdAt })
          .from(messages)
          .where(and(eq(messages.threadId, input.threadId), eq(messages.seq, input.before)))
      )[0]?.createdAt ?? recent[0]?.createdAt)
    : undefined;
  const noteAuthor = alias(users, "note_author");
  const notes = await db
    .select({
      id: threadNotes.id,
      body: threadNotes.body,
      authorName: noteAuthor.name,
      createdAt: threadNotes.createdAt,
    })
    .from(threadNotes)
    .leftJoin(noteAuthor, eq(noteAuthor.id, threadNotes.authorUserId))
    .where(
      and(
        eq(threadNotes.threadId, input.threadId),
        from ? gte(threadNotes.createdAt, from) : undefined,
        until ? lt(threadNotes.createdAt, until) : undefined,
      ),
    )
    .orderBy(asc(threadNotes.createdAt))
    .limit(500);
  const activity = await listThreadActivity(db, input.threadId, { from, until });
  const settings = await getOrgSettings(db);
  const cap = {
    limit: settings.replyCapLimit,
    windowMinutes: settings.replyCapMinutes,
    action: settings.replyCapAction,
  };
  return {
    thread: {
      ...row.thread,
      assigneeName: row.assigneeName,
      /** When the reply cap's pause ends (null: the bot is not paused). */
      botPausedUntil: row.thread.mode === "bot" ? botPausedUntil(row.thread, cap, new Date()) : null,
    },
    contact: { ...row.contact, profileName: row.profileName },
    /** What the contact's number can send (an engine no worker has published can do nothing). */
    capabilities: readEngineCapabilities(row.capabilities),
    /** The 24-hour customer-service window (`applies` only where the engine holds the business to it). */
    window: await serviceWindowOf(db, input.threadId),
    /** The satisfaction survey: the last answer (score, comment), or one sent and waiting (server/teams/survey.ts). */
    satisfaction: await threadSatisfaction(db, input.threadId),
    messages: page,
    notes,
    activity,
    hasOlder,
  };
}

/** Marks the thread read by `user` up to message `seq` (never backwards). */
export async function markThreadRead(db: TDbOrTx, user: TSessionUser, threadId: string, seq: number) {
  // From the thread row itself, so a thread that is not there (gone, or a made-up id) is a 404
  // rather than a foreign-key error.
  const { rowCount } = await db.execute(sql`
    insert into ${threadReads} (user_id, thread_id, last_read_seq)
    select ${user.id}::uuid, ${threads.id}, ${seq} from ${threads} where ${threads.id} = ${threadId}::uuid
    on conflict (user_id, thread_id) do update
      set last_read_seq = greatest(${threadReads}.last_read_seq, excluded.last_read_seq), at = now()`);
  if (!rowCount) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
}

/** One message, by id. */
export async function getPublicMessage(db: TDbOrTx, id: string) {
  const [message] = await db.select(publicMessageColumns).from(messages).where(eq(messages.id, id));
  if (!message) throw new AppError("NOT_FOUND", "There is no such message.");
  return withContent(message);
}

/** A thread's messages, newest first, older pages by `before` (a message's seq). */
export async function listThreadMessages(db: TDbOrTx, threadId: string, options: { before?: number; limit: number }) {
  const [thread] = await db.select({ id: threads.id }).from(threads).where(eq(threads.id, threadId));
  if (!thread) throw new AppError("NOT_FOUND", "There is no such thread.");
  const rows = await db
    .select({ ...publicMessageColumns, seq: messages.seq })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), options.before ? lt(messages.seq, options.before) : undefined))
    .orderBy(desc(messages.seq))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit).map(withContent);
  return { messages: page, next: rows.length > options.limit ? (page.at(-1)?.seq ?? null) : null };
}

/** The event types of a conversation's activity (exactly those of `events_thread_activity_idx`). */
export const ACTIVITY_TYPES = [
  "thread.handoff",
  "thread.assigned",
  "thread.released",
  "thread.closed",
  "thread.reopened",
  "thread.snoozed",
  "thread.woke",
  "thread.updated",
  "thread.sla_breached",
  "thread.survey_answered",
] as const;

/**
 * A conversation's activity for its timeline: hand-offs, assignments, releases, closing and
 * reopening, snoozes, priority and label changes, SLA breaches and survey answers, each with who
 * did it (`byName`; `by` may also be `policy`, `rule`, `flow`, `api`, `phone`) and whom it
 * concerned (`assigneeName`), oldest first, within `[from, until)` like the notes of a page.
 */
export async function listThreadActivity(
  db: TDbOrTx,
  threadId: string,
  window: { from?: Date | string; until?: Date | string } = {},
) {
  const from = window.from ? new Date(window.from).toISOString() : null;
  const until = window.until ? new Date(window.until).toISOString() : null;
  const types = sql.raw(ACTIVITY_TYPES.map((type) => `'${type}'`).join(", "));
  const rows = await db.execute<{
    id: string;
    type: (typeof ACTIVITY_TYPES)[number];
    at: string;
    payload: Record<string, unknown>;
    by_name: string | null;
    assignee_name: string | null;
  }>(sql`
    select e.id, e.type, e.at, e.payload, b.name as by_name, a.name as assignee_name
    from ${events} e
    left join ${users} b on b.id::text = e.payload->>'by'
    left join ${users} a on a.id::text = coalesce(e.payload->>'assigneeId', e.payload->>'agentId')
    where e.thread_id = ${threadId}::uuid and e.type in (${types})
      ${from ? sql`and e.at >= ${from}::timestamptz` : sql``}
      ${until ? sql`and e.at < ${until}::timestamptz` : sql``}
    order by e.at, e.id
    limit 500`);
  return rows.rows.map((row) => ({
    id: row.id,
    type: row.type,
    at: new Date(row.at).toISOString(),
    by: typeof row.payload.by === "string" ? row.payload.by : null,
    byName: row.by_name,
    assigneeName: row.assignee_name,
    payload: pickActivityPayload(row.payload),
  }));
}

/** The parts of an activity event's payload the timeline shows (no notes, variables or ids). */
function pickActivityPayload(payload: Record<string, unknown>) {
  const keep = ["until", "reason", "priority", "labels", "target", "score", "takeover", "from"] as const;
  const out: Partial<Record<(typeof keep)[number], unknown>> = {};
  for (const key of keep) if (payload[key] !== undefined) out[key] = payload[key];
  return out as {
    until?: string | null;
    reason?: string;
    priority?: string;
    labels?: string[];
    target?: string;
    score?: number;
    takeover?: boolean;
    from?: string;
  };
}
