import { onTestFinished } from "vitest";
import { createWebhookReceiver } from "./webhook-receiver-server";

export type { TReceivedWebhook, TReceiverAnswer } from "./webhook-receiver-server";

/** `createWebhookReceiver`, closed when the current test ends. */
export async function startWebhookReceiver(...args: Parameters<typeof createWebhookReceiver>) {
  const receiver = await createWebhookReceiver(...args);
  onTestFinished(receiver.close);
  return receiver;
}
