import { and, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { scheduledMessages } from "~/db/schema";

/**
 * A queued message with an expiry (a one-time code) carries it in its own `flags`, as
 * `expires_at:<ISO time>`: the send path reads it from the row it already loads, so a normal
 * message costs nothing more (no join, no column) and the expiry holds however long the send
 * waits or retries.
 */
const EXPIRY_FLAG = "expires_at:";

/** The flag that carries a message's expiry. */
export function expiryFlag(expiresAt: Date): string {
  return `${EXPIRY_FLAG}${expiresAt.toISOString()}`;
}

/** The expiry a message's flags carry, if any (an unreadable one counts as none). */
export function expiryOfFlags(flags: readonly string[] | null | undefined): Date | null {
  if (!flags || flags.length === 0) return null;
  const flag = flags.find((value) => value.startsWith(EXPIRY_FLAG));
  if (!flag) return null;
  const at = new Date(flag.slice(EXPIRY_FLAG.length));
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Whether a message with these flags may no longer be sent at `now`. */
export function hasExpired(flags: readonly string[] | null | undefined, now = new Date()): boolean {
  const at = expiryOfFlags(flags);
  return at !== null && at.getTime() <= now.getTime();
}

/** The reason a message dropped at its expiry is failed with. */
export const EXPIRED_REASON = "expired";

/**
 * The send path dropped a queued message at its expiry: the scheduled message it came from
 * (`sent`, pointing at it) becomes `expired`. The scheduled module owns the row; the send path
 * calls this in the transaction that fails the message.
 */
export async function markScheduledExpired(tx: TDbOrTx, messageId: string): Promise<void> {
  await tx
    .update(scheduledMessages)
    .set({ state: "expired", reason: EXPIRED_REASON, updatedAt: sql`now()` })
    .where(and(eq(scheduledMessages.messageId, messageId), eq(scheduledMessages.state, "sent")));
}
