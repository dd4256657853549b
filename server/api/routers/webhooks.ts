import { z } from "zod";
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
} from "~/server/webhooks/endpoints";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZId = z.object({ id: z.uuid() });

export const webhooksRouter = createTRPCRouter({
  eventTypes: requireAccess("config", "read").query(() => [...WEBHOOK_EVENT_TYPES]),
  list: requireAccess("config", "read").query(({ ctx }) => listEndpoints(ctx.db)),
  create: requireAccess("config", "write")
    .input(ZEndpointInput)
    .mutation(({ ctx, input }) => createEndpoint(ctx.db, ctx.user, input, ctx.webhooks)),
  update: requireAccess("config", "write")
    .input(ZId.extend({ endpoint: ZEndpointInput }))
    .mutation(({ ctx, input }) => updateEndpoint(ctx.db, ctx.user, input.id, input.endpoint, ctx.webhooks)),
  delete: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteEndpoint(ctx.db, ctx.user, input.id)),
  rotateSecret: requireAccess("config", "write")
    .input(ZId)
    .mutation(({ ctx, input }) => rotateSecret(ctx.db, ctx.user, input.id, ctx.webhooks)),
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
      redeliver(ctx.db, await ctx.boss(), ctx.user, input.webhookId, input.deliveryIds),
    ),
});
