import { z } from "zod";
import {
  checkCloudToken,
  createCloudSession,
  getCloudSettings,
  updateCloudSession,
  ZCheckCloudTokenInput,
  ZCloudSetupInput,
  ZCloudUpdateInput,
} from "~/server/cloud/setup";
import { syncTemplates } from "~/server/cloud/template-sync";
import { listTemplates } from "~/server/cloud/templates";
import { listEngines } from "~/server/sessions/engines";
import {
  createSession,
  deleteSession,
  listSessions,
  requestSessionAction,
  updateSessionSettings,
  ZCreateSessionInput,
} from "~/server/sessions/sessions";
import { requestPairingCode, ZRequestPairingCodeInput } from "~/server/sessions/pairing";
import { numbersOutreachNow } from "~/server/campaigns/health";
import { ZOutreach, ZPacing, ZPresence } from "~/server/sessions/settings";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });

/** How long "Sync templates" waits for Meta's pages before giving up (nothing is changed then). */
const TEMPLATE_SYNC_TIMEOUT_MS = 60_000;

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
  /** Link by a code typed on the phone instead of a QR: stores the number and wakes the worker, which asks for the code. */
  requestPairingCode: requireAccess("users", "write")
    .input(ZRequestPairingCodeInput)
    .mutation(({ ctx, input }) => requestPairingCode(ctx.db, ctx.user, input.id, input.phone)),
  delete: requireAccess("users", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteSession(ctx.db, ctx.user, input.id)),
  /** A number of an engine whose messages arrive by webhook (the Cloud API), with Meta's settings; secrets sealed. */
  createCloud: requireAccess("users", "write")
    .input(ZCloudSetupInput)
    .mutation(({ ctx, input }) =>
      createCloudSession(ctx.db, ctx.user, { appSecret: ctx.appSecret, baseUrl: ctx.cloudApi.baseUrl }, input),
    ),
  /** Changes its settings (blank secrets keep the stored ones) and asks its worker to restart. */
  updateCloud: requireAccess("users", "write")
    .input(ZCloudUpdateInput)
    .mutation(({ ctx, input }) =>
      updateCloudSession(ctx.db, ctx.user, { appSecret: ctx.appSecret, baseUrl: ctx.cloudApi.baseUrl }, input),
    ),
  /** Its settings as the page shows them: ids, webhook path and fields, the verify token; of the other secrets only whether set. */
  cloudSettings: requireAccess("users", "write")
    .input(ZId)
    .query(async ({ ctx, input }) => ({
      ...(await getCloudSettings(ctx.db, { appSecret: ctx.appSecret }, input.id)),
      publicOrigin: ctx.cloudApi.publicOrigin,
    })),
  /** One real Graph call with the typed or stored settings: the number and name, or exactly what is wrong. */
  checkCloudToken: requireAccess("users", "write")
    .input(ZCheckCloudTokenInput)
    .mutation(({ ctx, input, signal }) =>
      checkCloudToken(ctx.db, { appSecret: ctx.appSecret, baseUrl: ctx.cloudApi.baseUrl }, input, signal),
    ),
  syncTemplates: requireAccess("users", "write")
    .input(ZId)
    .mutation(({ ctx, input, signal }) =>
      syncTemplates(
        ctx.db,
        input.id,
        { appSecret: ctx.appSecret, baseUrl: ctx.cloudApi.baseUrl },
        {
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(TEMPLATE_SYNC_TIMEOUT_MS)])
            : AbortSignal.timeout(TEMPLATE_SYNC_TIMEOUT_MS),
        },
      ),
    ),
  /** A number's synced templates with their parts (what the Templates page lists and previews). */
  templates: requireAccess("users", "read")
    .input(ZId)
    .query(({ ctx, input }) => listTemplates(ctx.db, input.id)),
  updateSettings: requireAccess("users", "write")
    .input(ZId.extend({ pacing: ZPacing.optional(), presence: ZPresence.optional(), outreach: ZOutreach.optional() }))
    .mutation(({ ctx, input }) =>
      updateSessionSettings(ctx.db, ctx.user, input.id, {
        ...(input.pacing ? { pacing: input.pacing } : {}),
        ...(input.presence ? { presence: input.presence } : {}),
        ...(input.outreach ? { outreach: input.outreach } : {}),
      }),
    ),
  /** Every number's campaign limits today (cap, warm-up day, sent) and health score. */
  outreach: requireAccess("users", "read").query(({ ctx }) => numbersOutreachNow(ctx.db)),
});
