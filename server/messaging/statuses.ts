import { and, eq, inArray, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { messages, threads } from "~/db/schema";
import { recordEvent } from "~/server/events/events";

export type TAckStatus = "delivered" | "read";

/** Statuses an ack may move a message away from: never backwards (read stays read). */
const BEFORE: Record<TAckStatus, ("queued" | "sent" | "delivered")[]> = {
  delivered: ["queued", "sent"],
  read: ["queued", "sent", "delivered"],
};

/**
 * Applies a delivery ack from the transport: sent → delivered → read, never backwards.
 * `unknown`: no message has this transport id (yet: an ack can overtake the recording of the
 * send), so the caller may retry; `stale`: the message is already at or past this status.
 */
export async function applyDeliveryAck(
  db: TDb,
  ack: { sessionId: string; waMessageId: string; status: TAckStatus },
): Promise<"moved" | "stale" | "unknown"> {
  return db.transaction(async (tx) => {
    const now = new Date();
    // Twice at most: the send may be recorded between the update (which then matched nothing)
    // and the lookup (which then sees it), and the second update finds it.
    for (let attempt = 0; ; attempt += 1) {
      const [moved] = await tx
        .update(messages)
        // Read implies delivered: a read ack that overtook the delivered one fills both.
        .set(
          ack.status === "read"
            ? { status: "read", readAt: now, deliveredAt: sql`coalesce(${messages.deliveredAt}, ${now})` }
            : { status: "delivered", deliveredAt: now },
        )
        .where(
          and(
            eq(messages.sessionId, ack.sessionId),
            eq(messages.waMessageId, ack.waMessageId),
            eq(messages.direction, "out"),
            inArray(messages.status, BEFORE[ack.status]),
          ),
        )
        .returning({ id: messages.id, threadId: messages.threadId });
      if (moved) {
        await recordEvent(tx, {
          type: "message.status",
          sessionId: ack.sessionId,
          threadId: moved.threadId,
          messageId: moved.id,
          payload: { status: ack.status },
        });
        return "moved";
      }
      const [known] = await tx
        .select({ status: messages.status })
        .from(messages)
        .where(and(eq(messages.sessionId, ack.sessionId), eq(messages.waMessageId, ack.waMessageId)));
      if (!known) return "unknown";
      const behind = (BEFORE[ack.status] as string[]).includes(known.status);
      if (!behind || attempt >= 1) return behind ? "unknown" : "stale";
    }
  });
}

/** Statuses a failure report may move a message away from: a message read was delivered, whatever comes after. */
const FAILABLE = ["sent", "delivered"] as const;

/**
 * Applies a transport's report that a message it accepted did not reach the contact (the Cloud
 * API's `failed` status with Meta's code and title; whatsapp-web.js's error ack): a `sent` or
 * `delivered` message becomes `failed` with `reason`, and `message.failed` is recorded once. A
 * message already read, failed or not sent yet is left alone (`stale`); `unknown`: no message
 * has this transport id (yet: the report can overtake the recording of the send), so the caller
 * may retry.
 */
export async function applyFailedStatus(
  db: TDb,
  report: { sessionId: string; waMessageId: string; reason: string },
): Promise<"moved" | "stale" | "unknown"> {
  const reason = report.reason.toWellFormed().replaceAll("\u0000", "").slice(0, 1_000);
  return db.transaction(async (tx) => {
    for (let attempt = 0; ; attempt += 1) {
      const [moved] = await tx
        .update(messages)
        .set({ status: "failed", failedAt: new Date(), error: reason })
        .where(
          and(
            eq(messages.sessionId, report.sessionId),
            eq(messages.waMessageId, report.waMessageId),
            eq(messages.direction, "out"),
            inArray(messages.status, [...FAILABLE]),
          ),
        )
        .returning({ id: messages.id, threadId: messages.threadId });
      if (moved) {
        const [thread] = await tx
          .select({ contactId: threads.contactId })
          .from(threads)
          .where(eq(threads.id, moved.threadId));
        await recordEvent(tx, {
          type: "message.failed",
          sessionId: report.sessionId,
          contactId: thread?.contactId ?? null,
          threadId: moved.threadId,
          messageId: moved.id,
          payload: { error: reason },
        });
        return "moved";
      }
      const [known] = await tx
        .select({ status: messages.status })
        .from(messages)
        .where(and(eq(messages.sessionId, report.sessionId), eq(messages.waMessageId, report.waMessageId)));
      if (!known) return "unknown";
      // Sent between the update and the lookup: the second update finds it.
      const sentSince = (FAILABLE as readonly string[]).includes(known.status);
      if (!sentSince || attempt >= 1) return sentSince ? "unknown" : "stale";
    }
  });
}
