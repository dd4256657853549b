import { z } from "zod";
import { listEngines } from "~/server/sessions/engines";
import {
  createSession,
  deleteSession,
  listSessions,
  requestSessionAction,
  updateSessionSettings,
  ZCreateSessionInput,
} from "~/server/sessions/sessions";
import { ZPacing, ZPresence } from "~/server/sessions/settings";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });

export const sessionsRouter = createTRPCRouter({
  list: requireAccess("users", "read").query(({ ctx }) => listSessions(ctx.db)),
  /** The engines workers have published: what each is and can do (the add form lists the addable ones). */
  engines: requireAccess("users", "read").query(({ ctx }) => listEngines(ctx.db)),
  create: requireAccess("users", "write")
    .input(ZCreateSessionInput)
    .mutation(({ ctx, input }) => createSession(ctx.db, ctx.user, input)),
  restart: requireAccess("users", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => requestSessionAction(ctx.db, ctx.user, input.id, "restart")),
  logout: requireAccess("users", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => requestSessionAction(ctx.db, ctx.user, input.id, "logout")),
  delete: requireAccess("users", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteSession(ctx.db, ctx.user, input.id)),
  updateSettings: requireAccess("users", "write")
    .input(ZId.extend({ pacing: ZPacing.optional(), presence: ZPresence.optional() }))
    .mutation(({ ctx, input }) =>
      updateSessionSettings(ctx.db, ctx.user, input.id, {
        ...(input.pacing ? { pacing: input.pacing } : {}),
        ...(input.presence ? { presence: input.presence } : {}),
      }),
    ),
});
