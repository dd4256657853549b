import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getWebBoss } from "~/server/jobs/web-boss";
import { WEBHOOK_EVENT_TYPES } from "~/server/webhooks/events";
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  ZDeliveriesInput,
  ZEndpointInput,
  type TWebhookAdminConfig,
} from "~/server/webhooks/endpoints";
import { createTRPCRouter, requireAccess } from "../trpc";

function adminConfig(config: TWebhookAdminConfig | undefined): TWebhookAdminConfig {
  if (!config) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Webhooks are not configured." });
  return config;
}

const ZId = z.object({ id: z.uuid() });

export const webhooksRouter = createTRPCRouter({
  eventTypes: requireAccess("config", "read").query(() => [...WEBHOOK_EVENT_TYPES]),
  list: requireAccess("config", "read").query(({ ctx }) => listEndpoints(ctx.db)),
  create: requireAccess("config", "write")
    .input(ZEndpointInput)
    .mutation(({ ctx, input }) => createEndpoint(ctx.db, ctx.user, input, adminConfig(ctx.webhooks))),
  update: requireAccess("config", "write")
    .input(ZId.extend({ endpoint: ZEndpointInput }))
    .mutation(({ ctx, input }) =>
      updateEndpoint(ctx.db, ctx.user, input.id, input.endpoint, adminConfig(ctx.webhooks)),
    ),
  delete: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteEndpoint(ctx.db, ctx.user, input.id)),
  rotateSecret: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => rotateSecret(ctx.db, ctx.user, input.id, adminConfig(ctx.webhooks))),
  sendTest: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => sendTestEvent(ctx.db, ctx.user, input.id)),
  deliveries: requireAccess("config", "read")
    .input(ZDeliveriesInput)
    .query(({ ctx, input }) => listDeliveries(ctx.db, input)),
  delivery: requireAccess("config", "read")
    .input(ZId)
    .query(({ ctx, input }) => getDelivery(ctx.db, input.id)),
  redeliver: requireAccess("config", "write")
    .input(z.object({ webhookId: z.uuid(), deliveryIds: z.array(z.uuid()).min(1).max(1_000).nullable() }))
    .mutation(async ({ ctx, input }) =>
      redeliver(ctx.db, ctx.boss ?? (await getWebBoss()), ctx.user, input.webhookId, input.deliveryIds),
    ),
});
