import { applyCloudWebhook } from "~/server/cloud/apply";
import { QUEUES } from "~/server/jobs/queues";
import type { TJobHandler } from "../runtime";

/**
 * `cloud.webhook`: one notification Meta posted to a Cloud API number (the web checked its
 * signature). Its messages are ingested (Meta's retries store one message), its statuses applied
 * in order; a status for a send not recorded yet fails the job, which pg-boss retries, until the
 * last try, which keeps what it could (a status of a message sent by another app on the number
 * never becomes known).
 */
export const handleCloudWebhook: TJobHandler<"cloud.webhook"> = async (payload, { db, boss, log, job }) => {
  const outcome = await applyCloudWebhook(db, boss, payload, log);
  log.debug({ sessionId: payload.sessionId, outcome }, "cloud notification applied");
  if (outcome.pending === 0) return;
  if (job.retryCount >= QUEUES["cloud.webhook"].policy.retryLimit) {
    log.warn(
      { sessionId: payload.sessionId, pending: outcome.pending },
      "statuses of messages never recorded: dropped",
    );
    return;
  }
  throw new Error(`${outcome.pending} status(es) for messages not recorded yet`);
};
