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
import { setUserLocale, ZSetLocaleInput } from "~/server/users/locale";
import { createTRPCRouter, enrolmentProcedure, signedInProcedure } from "../trpc";

/** The signed-in user's own account: their sessions, their two-factor sign-in and their language. */
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
  startTwoFactor: enrolmentProcedure.mutation(({ ctx }) => startTwoFactorEnrolment(ctx.db, ctx.user, ctx.appSecret)),
  confirmTwoFactor: enrolmentProcedure
    .input(ZConfirmTwoFactorInput)
    .mutation(({ ctx, input }) => confirmTwoFactorEnrolment(ctx.db, ctx.user, ctx.appSecret, input)),
  disableTwoFactor: signedInProcedure
    .input(ZDisableTwoFactorInput)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.db, ctx.user, ctx.appSecret, input, ctx.clientIp)),
  regenerateRecoveryCodes: signedInProcedure
    .input(ZDisableTwoFactorInput)
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, ctx.user, ctx.appSecret, input, ctx.clientIp)),
  /** The interface language; null: the browser's. The next request renders in it. */
  setLocale: signedInProcedure
    .input(ZSetLocaleInput)
    .mutation(({ ctx, input }) => setUserLocale(ctx.db, ctx.user, input)),
});
