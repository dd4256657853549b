import {
  createUser,
  listUsers,
  resetUserPassword,
  setUserDisabled,
  updateUser,
  ZCreateUserInput,
  ZResetPasswordInput,
  ZSetUserDisabledInput,
  ZUpdateUserInput,
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
});
