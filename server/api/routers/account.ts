import {
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  getTwoFactorStatus,
  regenerateRecoveryCodes,
  startTwoFactorEnrolment,
  ZConfirmTwoFactorInput,
  ZDisableTwoFactorInput,
} from "~/server/auth/two-factor";
import {
  listOwnSessions,
  revokeOtherSessions,
  revokeOwnSession,
  ZRevokeSessionInput,
} from "~/server/auth/user-sessions";
import type { TTRPCContext } from "../trpc";
import { createTRPCRouter, enrolmentProcedure, signedInProcedure } from "../trpc";

function appSecretOf(ctx: TTRPCContext): string {
  if (!ctx.appSecret) throw new Error("the tRPC context has no appSecret");
  return ctx.appSecret;
}

/** The signed-in user's own account: their sessions and their two-factor sign-in. */
export const accountRouter = createTRPCRouter({
  /** Live sessions of the user, the current one marked. */
  sessions: signedInProcedure.query(({ ctx }) => listOwnSessions(ctx.db, ctx.user, ctx.session?.id ?? null)),
  revokeSession: signedInProcedure
    .input(ZRevokeSessionInput)
    .mutation(({ ctx, input }) => revokeOwnSession(ctx.db, ctx.user, input)),
  revokeOtherSessions: signedInProcedure.mutation(({ ctx }) =>
    revokeOtherSessions(ctx.db, ctx.user, ctx.session?.id ?? null),
  ),
  twoFactor: enrolmentProcedure.query(({ ctx }) => getTwoFactorStatus(ctx.db, ctx.user)),
  startTwoFactor: enrolmentProcedure.mutation(({ ctx }) => startTwoFactorEnrolment(ctx.db, ctx.user, appSecretOf(ctx))),
  confirmTwoFactor: enrolmentProcedure
    .input(ZConfirmTwoFactorInput)
    .mutation(({ ctx, input }) => confirmTwoFactorEnrolment(ctx.db, ctx.user, appSecretOf(ctx), input)),
  disableTwoFactor: signedInProcedure
    .input(ZDisableTwoFactorInput)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.db, ctx.user, appSecretOf(ctx), input, ctx.clientIp ?? null)),
  regenerateRecoveryCodes: signedInProcedure
    .input(ZDisableTwoFactorInput)
    .mutation(({ ctx, input }) =>
      regenerateRecoveryCodes(ctx.db, ctx.user, appSecretOf(ctx), input, ctx.clientIp ?? null),
    ),
});
