import { desc, eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import type { TActor } from "~/server/audit/audit";
import { requeueFailed } from "~/server/conversations/outbound";
import { AppError } from "~/server/errors";

/** Sends that failed after their last try (their jobs are in the dead-letter queue), newest first. */
export async function listFailedMessages(db: TDbOrTx, limit = 200) {
  return db
    .select({
      id: messages.id,
      body: messages.body,
      error: messages.error,
      failedAt: messages.failedAt,
      source: messages.source,
      waId: contacts.waId,
      contactName: contacts.name,
      threadId: threads.id,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(messages.status, "failed"))
    .orderBy(desc(messages.failedAt))
    .limit(limit);
}

export const ZRetryFailedInput = z.object({ messageId: z.uuid() });

/** Puts a failed message back on its session's send queue, as a fresh job with all its tries. */
export async function retryFailedMessage(
  db: TDb,
  boss: PgBoss,
  actor: TActor,
  input: z.infer<typeof ZRetryFailedInput>,
) {
  const { messageId } = ZRetryFailedInput.parse(input);
  return db.transaction(async (tx) => {
    const requeued = await requeueFailed(tx, boss, messageId, { retriedBy: actor?.email ?? "system" });
    if (!requeued) throw new AppError("CONFLICT", "This message is not failed (any more); nothing to retry.");
    return { messageId: requeued };
  });
}
