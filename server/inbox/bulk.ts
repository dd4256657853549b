import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb } from "~/db/client";
import type { TSessionUser } from "~/server/auth/roles";
import { assignThread, closeThread } from "~/server/conversations/state";
import { AppError } from "~/server/errors";
import { addThreadLabels } from "./work";

/** How many conversations one bulk action takes at most. */
export const MAX_BULK = 100;

const ZThreadIds = z
  .array(z.uuid())
  .min(1, "Choose at least one conversation.")
  .max(MAX_BULK, "At most 100 conversations at once.");

export const ZBulkAssignInput = z.object({ threadIds: ZThreadIds, userId: z.uuid() });
export const ZBulkLabelInput = z.object({
  threadIds: ZThreadIds,
  labels: z.array(z.string().max(40, "A label has at most 40 characters.")).min(1).max(20),
});
export const ZBulkCloseInput = z.object({ threadIds: ZThreadIds });

export type TBulkResult = { done: string[]; failed: { threadId: string; code: string; message: string }[] };

/**
 * Runs one conversation's action for each of `threadIds`, each in its own transaction under the
 * same rules (and with the same event and audit entry) as when done to one: one refused (owned by
 * someone else, gone) does not undo the others, and says why.
 */
async function eachThread(threadIds: readonly string[], act: (threadId: string) => Promise<unknown>) {
  const result: TBulkResult = { done: [], failed: [] };
  for (const threadId of new Set(threadIds)) {
    try {
      await act(threadId);
      result.done.push(threadId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.failed.push({ threadId, code: error.code, message: error.message });
    }
  }
  return result;
}

/** Assigns each conversation to `userId` (as `inbox.assign` does). */
export async function bulkAssign(db: TDb, boss: PgBoss, user: TSessionUser, raw: z.input<typeof ZBulkAssignInput>) {
  const input = ZBulkAssignInput.parse(raw);
  return eachThread(input.threadIds, (threadId) => assignThread(db, user, { threadId, userId: input.userId }, boss));
}

/** Closes each conversation (as `inbox.close` does: an agent cannot close another's). */
export async function bulkClose(db: TDb, boss: PgBoss, user: TSessionUser, raw: z.input<typeof ZBulkCloseInput>) {
  const input = ZBulkCloseInput.parse(raw);
  return eachThread(input.threadIds, (threadId) => closeThread(db, boss, user, threadId));
}

/** Adds labels to each conversation, keeping the labels it has (`thread.updated` where it changed). */
export async function bulkLabel(db: TDb, user: TSessionUser, raw: z.input<typeof ZBulkLabelInput>) {
  const input = ZBulkLabelInput.parse(raw);
  return eachThread(input.threadIds, (threadId) =>
    db.transaction((tx) => addThreadLabels(tx, user, threadId, input.labels)),
  );
}
