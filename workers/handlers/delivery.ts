import { sweepStuckMessages } from "~/server/delivery/stuck";
import type { TJobHandler } from "../runtime";

/** `delivery.sweep` (cron): stuck messages flagged with their likely cause; the engine's unaccepted ones re-sent once where it allows. */
export const handleDeliverySweep: TJobHandler<"delivery.sweep"> = async (_payload, { db, boss, log }) => {
  const swept = await sweepStuckMessages(db, boss);
  if (swept.flagged > 0 || swept.resent.length > 0) {
    log.info({ flagged: swept.flagged, resent: swept.resent.length }, "stuck messages flagged");
  }
};
