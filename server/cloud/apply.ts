import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import type { Logger } from "~/server/logger";
import { ingestInboundBatch } from "~/server/messaging/ingest";
import { applyDeliveryAck, applyFailedStatus } from "~/server/messaging/statuses";
import { readCloudConfig } from "./config";
import { describeCloudError, readCloudWebhook } from "./inbound";

export type TCloudWebhookOutcome = {
  stored: number;
  duplicates: number;
  rejected: number;
  statuses: { moved: number; stale: number };
  /** Statuses of messages whose send is not recorded yet: the job is tried again for them. */
  pending: number;
};

/**
 * Applies one notification Meta posted to a Cloud API number: its messages into ingest (one
 * transaction; a message stored before, as on Meta's retries, is a no-op), then its statuses in
 * the order Meta listed them (`delivered` / `read` move the ticks, `failed` fails the message
 * with Meta's code and title, `sent` changes nothing: the send recorded it). Safe to run again.
 */
export async function applyCloudWebhook(
  db: TDb,
  boss: PgBoss,
  job: { sessionId: string; payload: unknown },
  log: Logger,
): Promise<TCloudWebhookOutcome> {
  const outcome: TCloudWebhookOutcome = {
    stored: 0,
    duplicates: 0,
    rejected: 0,
    statuses: { moved: 0, stale: 0 },
    pending: 0,
  };
  const session = await readCloudConfig(db, job.sessionId);
  if (!session) {
    // Removed, or its settings cleared, since Meta posted: nothing can read the notification.
    log.warn({ sessionId: job.sessionId }, "cloud notification for a number that is gone or not set up: dropped");
    return outcome;
  }
  const read = readCloudWebhook(job.payload, { sessionId: job.sessionId, phoneNumberId: session.config.phoneNumberId });
  for (const skipped of read.skipped)
    log.info({ sessionId: job.sessionId, ...skipped }, "cloud notification part skipped");
  if (read.messages.length > 0) {
    const results = await ingestInboundBatch(db, boss, read.messages);
    for (const result of results) {
      if (result.status === "stored") outcome.stored += 1;
      else if (result.status === "duplicate") outcome.duplicates += 1;
      else {
        outcome.rejected += 1;
        log.warn({ sessionId: job.sessionId, reason: result.reason }, "cloud message rejected");
      }
    }
  }
  for (const status of read.statuses) {
    if (status.status === "sent") continue;
    const result =
      status.status === "failed"
        ? await applyFailedStatus(db, {
            sessionId: status.sessionId,
            waMessageId: status.waMessageId,
            reason: describeCloudError(status.error),
          })
        : await applyDeliveryAck(db, {
            sessionId: status.sessionId,
            waMessageId: status.waMessageId,
            status: status.status,
          });
    if (result === "unknown") outcome.pending += 1;
    else outcome.statuses[result] += 1;
  }
  return outcome;
}
