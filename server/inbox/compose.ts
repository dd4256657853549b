import { and, desc, eq, inArray } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, messages, threadNotes, threads, users } from "~/db/schema";
import { writeAiReply, type TAiConfig } from "~/server/ai/ai-reply";
import { recordReplyUsage } from "~/server/ai/usage";
import { canAccess, type TSessionUser } from "~/server/auth/roles";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { takeOverIn } from "~/server/conversations/state";
import { serverText } from "~/server/i18n/domain";
import { AppError } from "~/server/errors";
import { recordEvents } from "~/server/events/events";
import { createNotifications } from "~/server/notifications/notifications";
import { mediaContentFor, ZMediaAttachment } from "~/server/media/outbound-content";
import { textContent, textOf, type TMessageContent } from "~/server/messages/content";
import { assertMayQueue } from "~/server/conversations/window";
import { templateContentFor, ZTemplateChoice, ZTemplateHeaderFile } from "./templates";
import { OPTED_OUT_REPLY_HOURS } from "./reply-window";

export const ZAgentReplyInput = z
  .object({
    threadId: z.uuid(),
    /** The reply; with an attachment, its caption (may then be empty). */
    body: z.string().trim().max(4_096, "At most 4,096 characters").default(""),
    /** A file uploaded first (POST /api/media/uploads), sent as `kind`. */
    attachment: ZMediaAttachment.optional(),
  })
  .superRefine((input, context) => {
    if (!input.body && !input.attachment) context.addIssue({ code: "custom", message: "Type a reply", path: ["body"] });
  });

/**
 * An agent's reply. The thread must be theirs: a reply to a bot or unassigned thread takes it
 * over first (in the same transaction); one another person owns is refused, naming them. The
 * reply goes through the session's send queue like the bot's (pacing, retries, statuses). A
 * blocked contact gets nothing (like `POST /messages`); an opted-out one only an answer within
 * `OPTED_OUT_REPLY_HOURS` of their last message (the API, which only starts messages, refuses them).
 * With an attachment the reply is that file, the body its caption (`mediaContentFor` checks it).
 * Where the engine holds the business to the 24-hour window and it is closed, it is refused
 * (`assertMayQueue`): only a template (`sendAgentTemplate`) can reach the contact then.
 */
export async function sendAgentReply(db: TDb, boss: PgBoss, user: TSessionUser, raw: z.input<typeof ZAgentReplyInput>) {
  const input = ZAgentReplyInput.parse(raw);
  return queueAgentMessage(db, boss, user, input.threadId, async (tx, sessionId) =>
    input.attachment
      ? await mediaContentFor(tx, { ...input.attachment, caption: input.body, sessionId })
      : textContent(input.body),
  );
}

export const ZAgentTemplateInput = ZTemplateChoice.extend({
  threadId: z.uuid(),
  /** The file of a template whose header is an image, video or document, uploaded first. */
  headerAttachment: ZTemplateHeaderFile.optional(),
});

/**
 * An agent sends one of the number's approved templates, its variables filled in: the way to
 * reach a contact outside the 24-hour window (and allowed inside it too). Built by
 * `templateContentFor` (unapproved templates, missing variables and wrong header files refused,
 * naming them); the thread is taken over and the message queued like a reply.
 */
export async function sendAgentTemplate(
  db: TDb,
  boss: PgBoss,
  user: TSessionUser,
  raw: z.input<typeof ZAgentTemplateInput>,
) {
  const input = ZAgentTemplateInput.parse(raw);
  return queueAgentMessage(db, boss, user, input.threadId, (tx, sessionId) =>
    templateContentFor(tx, sessionId, input, input.headerAttachment),
  );
}

/** What every agent send shares: take over, the contact's blocks and opt-out, the window, the queue. */
async function queueAgentMessage(
  db: TDb,
  boss: PgBoss,
  user: TSessionUser,
  threadId: string,
  contentOf: (tx: TTx, sessionId: string) => Promise<TMessageContent>,
) {
  return db.transaction(async (tx) => {
    await takeOverIn(tx, user, threadId);
    const [target] = await tx
      .select({
        contactId: contacts.id,
        sessionId: contacts.sessionId,
        blocked: contacts.blocked,
        optedOut: contacts.optedOut,
      })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(threads.id, threadId));
    if (!target) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
    if (target.blocked)
      throw new AppError("CONFLICT", "This contact is blocked; unblock them on their contact page first.");
    const now = new Date();
    if (target.optedOut) {
      const [last] = await tx
        .select({ at: messages.createdAt })
        .from(messages)
        .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")))
        .orderBy(desc(messages.createdAt))
        .limit(1);
      if (!last || now.getTime() - last.at.getTime() > OPTED_OUT_REPLY_HOURS * 3_600_000) {
        throw new AppError("CONFLICT", serverText("inbox.optedOut", { hours: OPTED_OUT_REPLY_HOURS }));
      }
    }
    const content = await contentOf(tx, target.sessionId);
    await assertMayQueue(tx, { sessionId: target.sessionId, threadId, content }, now);
    const stored = await queueOutboundOne(tx, boss, {
      sessionId: target.sessionId,
      threadId,
      contactId: target.contactId,
      body: textOf(content),
      content,
      source: "agent",
      authorUserId: user.id,
      event: { source: "agent", by: user.id },
    });
    return stored!;
  });
}

export const ZNoteInput = z.object({
  threadId: z.uuid(),
  body: z.string().trim().min(1, "Write the note").max(4_000, "At most 4,000 characters"),
  /** Teammates mentioned (@name) in the note: each is notified. */
  mentions: z.array(z.uuid()).max(20).default([]),
});

/** An internal note: staff see it in the thread; the contact never does. */
export async function addNote(db: TDb, user: TSessionUser, raw: z.input<typeof ZNoteInput>) {
  const input = ZNoteInput.parse(raw);
  return db.transaction(async (tx) => {
    const [thread] = await tx
      .select({ contactId: threads.contactId, sessionId: contacts.sessionId })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(threads.id, input.threadId));
    if (!thread) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
    const [note] = await tx
      .insert(threadNotes)
      .values({ threadId: input.threadId, authorUserId: user.id, body: input.body })
      .returning();
    await recordEvents(tx, [
      { type: "thread.note", sessionId: thread.sessionId, contactId: thread.contactId, threadId: input.threadId },
    ]);
    if (input.mentions.length > 0) {
      // Only people who can read the inbox (enabled) hear of it; other ids are ignored.
      const mentioned = await tx
        .select({ id: users.id, role: users.role })
        .from(users)
        .where(and(inArray(users.id, input.mentions), eq(users.disabled, false)));
      await createNotifications(
        tx,
        mentioned
          .filter((person) => canAccess(person.role, "inbox", "read"))
          .map((person) => ({
            userId: person.id,
            kind: "mention" as const,
            threadId: input.threadId,
            noteId: note!.id,
            actorUserId: user.id,
          })),
      );
    }
    return note!;
  });
}

/**
 * An AI suggestion for the agent to edit before sending: the model's answer to the contact's
 * latest message, with the contact's profile and the thread (the same prompt as the bot's AI
 * replies). Nothing is stored or sent. On failure the fallback comes back with the reason.
 */
export async function suggestReply(db: TDbOrTx, config: TAiConfig, threadId: string) {
  const [row] = await db
    .select({ message: messages, thread: threads, contact: contacts })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")))
    .orderBy(desc(messages.seq))
    .limit(1);
  if (!row) throw new AppError("BAD_REQUEST", "The contact has not written anything to answer yet.");
  const reply = await writeAiReply(db, config, row, null);
  // The model call costs the same as the bot's (server/ai/usage.ts).
  await recordReplyUsage(db, reply);
  return {
    text: reply.text,
    outcome: reply.outcome,
    reason: reply.outcome === "fallback" ? reply.reason : null,
    provider: reply.provider,
    model: reply.model,
    latencyMs: reply.latencyMs,
  };
}
