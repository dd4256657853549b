import { assignTeamQueue } from "~/server/conversations/assignment";
import { sweepAvailability } from "~/server/teams/availability";
import type { TJobHandler } from "../runtime";

/** `team.assign`: one assignment run for the team (server/conversations/assignment.ts). */
export const handleTeamAssign: TJobHandler<"team.assign"> = async ({ teamId }, { db, log }) => {
  const assigned = await assignTeamQueue(db, teamId);
  if (assigned.length > 0) log.info({ teamId, assigned: assigned.length }, "team conversations assigned");
};

/** `team.sweep` (cron): agents not seen for a while become away; teams with waiting conversations get a run. */
export const handleTeamSweep: TJobHandler<"team.sweep"> = async (_payload, { db, boss, log }) => {
  const swept = await sweepAvailability(db, boss);
  if (swept.away.length > 0) log.info({ away: swept.away.length }, "agents marked away");
};
