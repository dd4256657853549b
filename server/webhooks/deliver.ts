import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { webhookAttempts, webhookDeliveries, webhooks, type TDeliveryStatus } from "~/db/schema";
import { enqueue, enqueueMany } from "~/server/jobs/boss";
import { metrics } from "~/server/metrics/metrics";
import { decryptSecret } from "~/server/lib/secrets";
import { jsonRecordset } from "~/server/lib/sql";
import type { TMediaLinker } from "~/server/media/public-content";
import { buildWebhookPayloads, TEST_EVENT_TYPE, type TWebhookPayload } from "./events";
import { withDeliveryLinks } from "./payloads";
import { postWebhook, type TPostResult } from "./post";
import { webhookHeaders } from "./signing";

/**
 * The Standard Webhooks retry schedule, in seconds after the previous attempt: immediately,
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days in all), each with
 * ±10 % jitter. Configurable (`WEBHOOK_RETRY_SCHEDULE`) so tests can compress it.
 */
export const DEFAULT_RETRY_SCHEDULE_S = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400];

export type TWebhookConfig = {
  appSecret: string;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Delay before each attempt; its length is the number of attempts. */
  scheduleS: readonly number[];
  /** An endpoint failing (no success) for this long is disabled. */
  disableAfterMs: number;
  /**
   * Signed links for the media of a delivered message, made at each attempt (absolute, under
   * NEXTAUTH_URL); null without a public address: the payload then says why it has none.
   */
  mediaLinks: TMediaLinker | null;
};

export function defaultWebhookConfig(appSecret: string, overrides: Partial<TWebhookConfig> = {}): TWebhookConfig {
  return {
    appSecret,
    allowPrivate: false,
    timeoutMs: 10_000,
    scheduleS: DEFAULT_RETRY_SCHEDULE_S,
    disableAfterMs: 5 * 24 * 3_600_000,
    mediaLinks: null,
    ...overrides,
  };
}

const DISPATCH_BATCH = 500;

/**
 * Hands new deliveries (made by the fan-out trigger in their event's transaction) to the
 * `webhook.deliver` queue: fixes each payload once (built once per event), stamps a job token,
 * and enqueues the jobs, in one transaction. Safe with several workers (skip locked).
 */
export async function dispatchPendingDeliveries(db: TDb, boss: PgBoss): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ id: string; event_id: string; event_type: string; payload: unknown }>(sql`
      select id, event_id, event_type, payload from ${webhookDeliveries}
      where dispatched_at is null
      order by created_at
      limit ${DISPATCH_BATCH}
      for update skip locked`);
    if (rows.length === 0) return 0;
    const payloads = await buildWebhookPayloads(tx, [...new Set(rows.map((row) => row.event_id))]);
    const dispatched = rows.map((row) => ({
      id: row.id,
      token: randomUUID(),
      payload:
        (row.payload as TWebhookPayload | null) ??
        payloads.get(row.event_id) ??
        ({
          id: row.event_id,
          type: row.event_type,
          version: 1,
          timestamp: new Date().toISOString(),
          data: {},
        } satisfies TWebhookPayload),
    }));
    await tx.execute(sql`
      update ${webhookDeliveries} d set payload = x.payload, job_token = x.token, dispatched_at = now(),
        next_attempt_at = now()
      from ${jsonRecordset(dispatched, "id uuid, token uuid, payload jsonb")} x
      where d.id = x.id`);
    await enqueueMany(
      boss,
      "webhook.deliver",
      dispatched.map((row) => ({ deliveryId: row.id, token: row.token })),
      { tx },
    );
    return rows.length;
  });
}

type TVerdict =
  { status: "delivered" } | { status: "retry"; retryAfterS: number | null } | { status: "dead"; disable?: string };

/** What an attempt's result means: delivered, try again later, or give up (and maybe disable the endpoint). */
export function judgeAttempt(result: TPostResult): TVerdict {
  if (result.kind === "error") return result.blocked ? { status: "dead" } : { status: "retry", retryAfterS: null };
  const { status } = result;
  if (status >= 200 && status < 300) return { status: "delivered" };
  if (status === 410) return { status: "dead", disable: "The receiver answered 410 Gone." };
  if (status === 408 || status === 429 || status >= 500) return { status: "retry", retryAfterS: result.retryAfterS };
  return { status: "dead" };
}

/** Seconds until attempt number `next` (1-based), with ±10 % jitter and Retry-After honoured; null: no more. */
export function retryDelayS(
  scheduleS: readonly number[],
  next: number,
  retryAfterS: number | null,
  random = Math.random,
): number | null {
  const base = scheduleS[next - 1];
  if (base === undefined) return null;
  const jittered = base * (0.9 + 0.2 * random());
  return Math.max(jittered, Math.min(retryAfterS ?? 0, 86_400));
}

export type TDeliverOutcome = "delivered" | "retrying" | "dead" | "stale" | "gone";

/**
 * One attempt of one delivery (`webhook.deliver`): signs the fixed payload (with both secrets
 * during a rotation), posts it, logs the attempt, and decides what next, in one transaction:
 * delivered; another attempt per the schedule (a new job and token); or dead (after the last
 * attempt, on a 4xx other than 408/429, or when the endpoint is gone). Every attempt carries
 * the delivery's id as `webhook-id`. A job whose token is not the delivery's current one is
 * stale (a redelivery replaced it) and does nothing; a job retried after a crash carries the
 * same token and tries again.
 */
export async function deliverWebhook(
  db: TDb,
  boss: PgBoss,
  config: TWebhookConfig,
  job: { deliveryId: string; token: string },
): Promise<TDeliverOutcome> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhooks })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(eq(webhookDeliveries.id, job.deliveryId));
  if (!row) return "gone";
  const { delivery, endpoint } = row;
  if (delivery.jobToken !== job.token || delivery.status === "delivered" || delivery.status === "dead") return "stale";
  if (!endpoint.enabled) {
    await finishWithoutAttempt(db, delivery.id, "The endpoint is disabled.");
    return "dead";
  }
  let secrets: string[];
  try {
    secrets = [decryptSecret(endpoint.secret, config.appSecret, "webhook-secret").toString("utf8")];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()) {
      secrets.push(decryptSecret(endpoint.previousSecret, config.appSecret, "webhook-secret").toString("utf8"));
    }
  } catch (error) {
    await finishWithoutAttempt(
      db,
      delivery.id,
      `The signing secret cannot be decrypted (${(error as Error).message}); rotate it.`,
    );
    return "dead";
  }
  const body = JSON.stringify(withDeliveryLinks(delivery.payload ?? {}, config.mediaLinks));
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await postWebhook(endpoint.url, webhookHeaders(secrets, delivery.id, timestamp, body), body, {
    timeoutMs: config.timeoutMs,
    allowPrivate: config.allowPrivate,
  });
  const verdict = judgeAttempt(result);
  const observed = { endpoint: endpoint.id, outcome: verdict.status };
  metrics.webhookAttempts.inc(observed);
  metrics.webhookLatency.observe(observed, result.latencyMs / 1000);
  const attempt = delivery.attempts + 1;
  const delayS = verdict.status === "retry" ? retryDelayS(config.scheduleS, attempt + 1, verdict.retryAfterS) : null;
  const status: TDeliveryStatus =
    verdict.status === "delivered" ? "delivered" : verdict.status === "retry" && delayS !== null ? "retrying" : "dead";
  const token = status === "retrying" ? randomUUID() : delivery.jobToken;
  const now = new Date();
  const httpStatus = result.kind === "response" ? result.status : null;
  const error =
    result.kind === "error"
      ? result.error
      : status === "delivered"
        ? null
        : `HTTP ${result.status}${verdict.status === "dead" && !("disable" in verdict) ? " (not retried)" : ""}`;

  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: delivery.id,
      attempt,
      at: now,
      httpStatus,
      latencyMs: result.latencyMs,
      responseExcerpt: result.kind === "response" ? result.excerpt : null,
      error,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        status,
        attempts: attempt,
        jobToken: token,
        lastHttpStatus: httpStatus,
        lastError: error,
        nextAttemptAt: delayS === null || status !== "retrying" ? null : new Date(now.getTime() + delayS * 1000),
        deliveredAt: status === "delivered" ? now : null,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    if (delivery.eventType === TEST_EVENT_TYPE) {
      // A test event says nothing about the endpoint's health.
    } else if (status === "delivered") {
      if (endpoint.failingSince) {
        await tx.update(webhooks).set({ failingSince: null }).where(eq(webhooks.id, endpoint.id));
      }
    } else {
      const failingSince = endpoint.failingSince ?? now;
      const tooLong = now.getTime() - failingSince.getTime() >= config.disableAfterMs;
      const disable =
        "disable" in verdict && verdict.disable
          ? verdict.disable
          : tooLong
            ? `Disabled after failing since ${failingSince.toISOString()} (${Math.round(config.disableAfterMs / 3_600_000)} h without a successful delivery).`
            : null;
      await tx
        .update(webhooks)
        .set({
          failingSince,
          ...(disable ? { enabled: false, disabledReason: disable, updatedAt: now } : {}),
        })
        .where(eq(webhooks.id, endpoint.id));
    }
    if (status === "retrying" && delayS !== null) {
      await enqueue(
        boss,
        "webhook.deliver",
        { deliveryId: delivery.id, token: token },
        { tx, startAfter: new Date(now.getTime() + delayS * 1000) },
      );
    }
  });
  return status;
}

async function finishWithoutAttempt(db: TDb, deliveryId: string, reason: string) {
  await db
    .update(webhookDeliveries)
    .set({ status: "dead", lastError: reason, nextAttemptAt: null })
    .where(eq(webhookDeliveries.id, deliveryId));
}
