import { acknowledgeHandoff } from "~/server/teams/reception";
import { sweepSlaBreaches } from "~/server/teams/sla";
import type { TJobHandler } from "../runtime";

/** `team.acknowledge`: tells the contact of a hand-off to a team what happens next (server/teams/reception.ts). */
export const handleTeamAcknowledge: TJobHandler<"team.acknowledge"> = async (payload, { db, boss, log }) => {
  const outcome = await acknowledgeHandoff(db, boss, payload);
  log.debug({ threadId: payload.threadId, outcome }, "team hand-off acknowledgement");
};

/** `team.sla` (cron): SLA due times passed unmet are stamped and recorded (server/teams/sla.ts). */
export const handleTeamSla: TJobHandler<"team.sla"> = async (_payload, { db, log }) => {
  const breaches = await sweepSlaBreaches(db);
  if (breaches.length > 0) log.info({ breaches: breaches.length }, "SLA breaches recorded");
};
