import { createTRPCRouter, signedInProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  /** The signed-in user as the server sees them now (role changes apply at once). */
  me: signedInProcedure.query(({ ctx }) => ctx.user),
});
