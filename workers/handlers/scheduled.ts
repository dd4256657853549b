import { runScheduledMessage } from "~/server/scheduled/scheduled";
import type { TJobHandler } from "../runtime";

/** `scheduled.send`: a scheduled message's time came (queued once, or expired, cancelled: nothing). */
export const handleScheduledSend: TJobHandler<"scheduled.send"> = async (payload, { db, boss, log }) => {
  const outcome = await runScheduledMessage(db, boss, payload.scheduledId);
  log.debug({ scheduledId: payload.scheduledId, outcome }, "scheduled message");
};
