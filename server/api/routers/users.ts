import {
  createUser,
  listUsers,
  resetUserPassword,
  resetUserTwoFactor,
  setUserDisabled,
  signOutUserEverywhere,
  updateUser,
  ZCreateUserInput,
  ZResetPasswordInput,
  ZSetUserDisabledInput,
  ZUpdateUserInput,
  ZUserIdInput,
} from "~/server/users/users";
import { createTRPCRouter, requireAccess } from "../trpc";

export const usersRouter = createTRPCRouter({
  list: requireAccess("users", "read").query(({ ctx }) => listUsers(ctx.db)),
  create: requireAccess("users", "write")
    .input(ZCreateUserInput)
    .mutation(({ ctx, input }) => createUser(ctx.db, ctx.user, input)),
  update: requireAccess("users", "write")
    .input(ZUpdateUserInput)
    .mutation(({ ctx, input }) => updateUser(ctx.db, ctx.user, input)),
  setDisabled: requireAccess("users", "write")
    .input(ZSetUserDisabledInput)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, ctx.user, input)),
  resetPassword: requireAccess("users", "write")
    .input(ZResetPasswordInput)
    .mutation(({ ctx, input }) => resetUserPassword(ctx.db, ctx.user, input)),
  signOutEverywhere: requireAccess("users", "write")
    .input(ZUserIdInput)
    .mutation(({ ctx, input }) => signOutUserEverywhere(ctx.db, ctx.user, input)),
  resetTwoFactor: requireAccess("users", "write")
    .input(ZUserIdInput)
    .mutation(({ ctx, input }) => resetUserTwoFactor(ctx.db, ctx.user, input)),
});
