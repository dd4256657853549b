import { createTRPCRouter, enrolmentProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  /** The signed-in user as the server sees them now (role changes apply at once). */
  me: enrolmentProcedure.query(({ ctx }) => ctx.user),
});
