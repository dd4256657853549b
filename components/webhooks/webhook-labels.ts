import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/api/root";

type TWebhookOutputs = inferRouterOutputs<AppRouter>["webhooks"];
export type TEndpoint = TWebhookOutputs["list"][number];
export type TDeliveryRow = TWebhookOutputs["deliveries"]["deliveries"][number];
export type TDeliveryDetail = TWebhookOutputs["delivery"];
export type TDeliveryStatus = TDeliveryRow["status"];

/** The delivery statuses, in the order the filter lists them (db/schema/webhooks DELIVERY_STATUSES). */
export const DELIVERY_STATUS_OPTIONS: readonly TDeliveryStatus[] = ["pending", "retrying", "delivered", "dead"];

/** The event type of "Send test event" (server/webhooks/events TEST_EVENT_TYPE): not subscribable, but in the log. */
export const TEST_EVENT_TYPE = "webhook.test";

export const STATUS_TONE = {
  pending: "neutral",
  retrying: "warning",
  delivered: "success",
  dead: "danger",
} as const satisfies Record<TDeliveryStatus, string>;

/** Whether a delivery may still change by itself (the worker has attempts left to make). */
export function isInFlight(status: TDeliveryStatus): boolean {
  return status === "pending" || status === "retrying";
}

/** Event types grouped by what they are about (`message.received` → "message"), in the given order. */
export function groupEventTypes(types: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const type of types) {
    const group = type.split(".")[0] ?? type;
    groups.set(group, [...(groups.get(group) ?? []), type]);
  }
  return [...groups];
}

/**
 * What the last attempt got, without saying the status twice ("HTTP 400" + "HTTP 400 (not
 * retried)"): the HTTP status (null when there was no response) and the error's own words.
 */
export function describeLastResult(
  httpStatus: number | null,
  error: string | null,
): { status: string | null; note: string } {
  const status = httpStatus ? `HTTP ${httpStatus}` : null;
  if (!error) return { status, note: "" };
  return { status, note: status && error.startsWith(status) ? error.slice(status.length).trim() : error };
}

/**
 * A failed attempt in one phrase: "HTTP 400 (not retried)", "HTTP 500", or the network error;
 * `noResponse` when there is neither.
 */
export function describeFailure(httpStatus: number | null, error: string | null, noResponse: string): string {
  const { status, note } = describeLastResult(httpStatus, error);
  if (!status) return note || noResponse;
  return note ? `${status} ${note}` : status;
}
