import { deliverWebhook } from "~/server/webhooks/deliver";
import type { TJobHandler } from "../runtime";

/** `webhook.deliver`: one attempt of one delivery. */
export const handleWebhookDelivery: TJobHandler<"webhook.deliver"> = async (payload, { db, boss, log, webhooks }) => {
  const outcome = await deliverWebhook(db, boss, webhooks, payload);
  log.debug({ deliveryId: payload.deliveryId, outcome }, "webhook attempt");
};
