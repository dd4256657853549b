import { recordHeartbeat, setMyAvailability, ZSetAvailabilityInput } from "~/server/teams/availability";
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  listTeams,
  removeTeamMember,
  updateTeam,
  ZCreateTeamInput,
  ZTeamIdInput,
  ZTeamMemberInput,
  ZUpdateTeamInput,
} from "~/server/teams/teams";
import { createTRPCRouter, requireAccess } from "../trpc";

/** Teams (admins manage them, everyone in the inbox sees them) and each person's own availability. */
export const teamsRouter = createTRPCRouter({
  list: requireAccess("inbox", "read").query(({ ctx }) => listTeams(ctx.db)),
  create: requireAccess("users", "write")
    .input(ZCreateTeamInput)
    .mutation(({ ctx, input }) => createTeam(ctx.db, ctx.user, input)),
  update: requireAccess("users", "write")
    .input(ZUpdateTeamInput)
    .mutation(async ({ ctx, input }) => updateTeam(ctx.db, await ctx.boss(), ctx.user, input)),
  delete: requireAccess("users", "write")
    .input(ZTeamIdInput)
    .mutation(({ ctx, input }) => deleteTeam(ctx.db, ctx.user, input)),
  addMember: requireAccess("users", "write")
    .input(ZTeamMemberInput)
    .mutation(async ({ ctx, input }) => addTeamMember(ctx.db, await ctx.boss(), ctx.user, input)),
  removeMember: requireAccess("users", "write")
    .input(ZTeamMemberInput)
    .mutation(({ ctx, input }) => removeTeamMember(ctx.db, ctx.user, input)),
  /** The signed-in person's own availability (online, away, offline). */
  setAvailability: requireAccess("inbox", "write")
    .input(ZSetAvailabilityInput)
    .mutation(async ({ ctx, input }) => setMyAvailability(ctx.db, await ctx.boss(), ctx.user, input)),
  /** Sent by each open dashboard tab about once a minute: keeps an online person from turning away. */
  heartbeat: requireAccess("inbox", "write").mutation(async ({ ctx }) =>
    recordHeartbeat(ctx.db, await ctx.boss(), ctx.user),
  ),
});
