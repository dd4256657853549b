import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import { zCursor } from "~/server/lib/cursor";
import type { TDb, TDbOrTx } from "~/db/client";
import { events, webhookAttempts, webhookDeliveries, webhooks, DELIVERY_STATUSES } from "~/db/schema";
import { recordAudit } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";
import { enqueueMany } from "~/server/jobs/boss";
import { encryptSecret } from "~/server/lib/secrets";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from "./events";
import { generateSigningSecret } from "./signing";
import { assertSafeWebhookUrl } from "./url-safety";

/** What the web needs to manage endpoints: the key secrets are encrypted under, and the SSRF policy. */
export type TWebhookAdminConfig = {
  appSecret: string;
  allowPrivate: boolean;
  /** After a rotation, the old secret keeps signing (beside the new one) this long. */
  rotationOverlapHours: number;
};

export const ZEndpointInput = z.object({
  url: z.string().trim().min(1, "Enter the URL").max(2_000),
  description: z.string().trim().max(500).default(""),
  /** Empty: every event type, including ones added later. */
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .max(WEBHOOK_EVENT_TYPES.length)
    .default([])
    .transform((list) => [...new Set(list)]),
  enabled: z.boolean().default(true),
});
export type TEndpointInput = z.input<typeof ZEndpointInput>;

const publicColumns = {
  id: webhooks.id,
  url: webhooks.url,
  description: webhooks.description,
  events: webhooks.events,
  enabled: webhooks.enabled,
  disabledReason: webhooks.disabledReason,
  failingSince: webhooks.failingSince,
  previousSecretExpiresAt: webhooks.previousSecretExpiresAt,
  createdAt: webhooks.createdAt,
  updatedAt: webhooks.updatedAt,
};

/** Endpoints with their last day: deliveries delivered, failing (retrying or dead), and the latest. */
export async function listEndpoints(db: TDbOrTx) {
  return db
    .select({
      ...publicColumns,
      stats: sql<{ delivered: number; retrying: number; dead: number; lastAt: string | null }>`(
        select json_build_object(
          'delivered', count(*) filter (where d.status = 'delivered'),
          'retrying', count(*) filter (where d.status = 'retrying'),
          'dead', count(*) filter (where d.status = 'dead'),
          'lastAt', max(d.created_at))
        from ${webhookDeliveries} d
        where d.webhook_id = "webhooks"."id" and d.created_at > now() - interval '1 day')`,
    })
    .from(webhooks)
    .orderBy(webhooks.createdAt);
}

/** An endpoint as shown and audited: never its secrets. */
function audited(endpoint: typeof webhooks.$inferSelect) {
  return Object.fromEntries(
    Object.entries(endpoint).filter(([key]) => key !== "secret" && key !== "previousSecret"),
  ) as Omit<typeof endpoint, "secret" | "previousSecret">;
}

/** Adds an endpoint; its signing secret is returned this once (only an encrypted copy is kept). */
export async function createEndpoint(db: TDb, actor: TSessionUser, raw: TEndpointInput, config: TWebhookAdminConfig) {
  const input = ZEndpointInput.parse(raw);
  const url = await assertSafeWebhookUrl(input.url, config.allowPrivate);
  const secret = generateSigningSecret();
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(webhooks)
      .values({
        ...input,
        url: url.toString(),
        secret: encryptSecret(secret, config.appSecret, "webhook-secret"),
        createdByUserId: actor.id,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: "create",
      entity: "webhook",
      entityId: created!.id,
      after: audited(created!),
    });
    return { endpoint: audited(created!), secret };
  });
}

/** Changes an endpoint. Enabling one Switchboard disabled clears the reason and the failure clock. */
export async function updateEndpoint(
  db: TDb,
  actor: TSessionUser,
  id: string,
  raw: TEndpointInput,
  config: TWebhookAdminConfig,
) {
  const input = ZEndpointInput.parse(raw);
  const url = await assertSafeWebhookUrl(input.url, config.allowPrivate);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(webhooks).where(eq(webhooks.id, id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "This endpoint no longer exists.");
    const [updated] = await tx
      .update(webhooks)
      .set({
        ...input,
        url: url.toString(),
        ...(input.enabled && !before.enabled ? { disabledReason: null, failingSince: null } : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhooks.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: "update",
      entity: "webhook",
      entityId: id,
      before: audited(before),
      after: audited(updated!),
    });
    return audited(updated!);
  });
}

export async function deleteEndpoint(db: TDb, actor: TSessionUser, id: string) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning();
    if (!deleted) throw new AppError("NOT_FOUND", "This endpoint no longer exists.");
    await recordAudit(tx, actor, { action: "delete", entity: "webhook", entityId: id, before: audited(deleted) });
  });
}

/**
 * A new signing secret, returned once. The old one keeps signing beside it (both signatures in
 * `webhook-signature`) for the overlap, so receivers can switch without losing a delivery.
 */
export async function rotateSecret(db: TDb, actor: TSessionUser, id: string, config: TWebhookAdminConfig) {
  const secret = generateSigningSecret();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(webhooks).where(eq(webhooks.id, id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "This endpoint no longer exists.");
    const expires = new Date(Date.now() + config.rotationOverlapHours * 3_600_000);
    await tx
      .update(webhooks)
      .set({
        secret: encryptSecret(secret, config.appSecret, "webhook-secret"),
        previousSecret: before.secret,
        previousSecretExpiresAt: expires,
        updatedAt: new Date(),
      })
      .where(eq(webhooks.id, id));
    await recordAudit(tx, actor, {
      action: "rotate_secret",
      entity: "webhook",
      entityId: id,
      after: { previousSecretExpiresAt: expires },
    });
    return { secret, previousSecretExpiresAt: expires };
  });
}

/** "Send test event": a `webhook.test` event delivered to this endpoint only, through the real path. */
export async function sendTestEvent(db: TDb, actor: TSessionUser, id: string) {
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, id));
    if (!endpoint) throw new AppError("NOT_FOUND", "This endpoint no longer exists.");
    const [event] = await tx
      .insert(events)
      .values({
        type: TEST_EVENT_TYPE,
        payload: { message: "A test event from Switchboard.", sentBy: actor.email },
      })
      .returning({ id: events.id });
    const [delivery] = await tx
      .insert(webhookDeliveries)
      .values({ webhookId: id, eventId: event!.id, eventType: TEST_EVENT_TYPE })
      .returning({ id: webhookDeliveries.id });
    await tx.execute(sql`select pg_notify('switchboard_webhooks', '1')`);
    return { deliveryId: delivery!.id, eventId: event!.id };
  });
}

/**
 * Where a page of the delivery log ended: `created_at` as Postgres renders it, with its
 * microseconds (a JS Date keeps milliseconds only, and rows sharing a millisecond at a page
 * boundary would be skipped), and the id that breaks ties.
 */
const ZDeliveryCursor = z.object({
  at: z.iso
    .datetime({ precision: 6, message: "This page cursor is not valid; start from the first page." })
    // Year 0 passes the ISO pattern but not Postgres.
    .refine((value) => !value.startsWith("0000-"), "This page cursor is not valid; start from the first page."),
  id: z.uuid(),
});

export const ZDeliveriesInput = z.object({
  webhookId: z.uuid(),
  status: z.enum(DELIVERY_STATUSES).nullable().default(null),
  eventType: z.string().max(60).nullable().default(null),
  cursor: zCursor(ZDeliveryCursor).nullable().default(null),
  limit: z.number().int().min(1).max(200).default(50),
});

/** The delivery log of an endpoint, newest first, with filters and keyset paging on (created_at, id). */
export async function listDeliveries(db: TDbOrTx, raw: z.input<typeof ZDeliveriesInput>) {
  const input = ZDeliveriesInput.parse(raw);
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastHttpStatus: webhookDeliveries.lastHttpStatus,
      lastError: webhookDeliveries.lastError,
      deliveredAt: webhookDeliveries.deliveredAt,
      createdAt: webhookDeliveries.createdAt,
      cursorAt: sql<string>`to_char(${webhookDeliveries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, input.webhookId),
        input.status ? eq(webhookDeliveries.status, input.status) : undefined,
        input.eventType ? eq(webhookDeliveries.eventType, input.eventType) : undefined,
        input.cursor
          ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${input.cursor.at}::timestamptz, ${input.cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    deliveries: page.map(({ cursorAt: _cursorAt, ...delivery }) => delivery),
    nextCursor: rows.length > input.limit && last ? { at: last.cursorAt, id: last.id } : null,
  };
}

/** One delivery: its payload and every attempt. */
export async function getDelivery(db: TDbOrTx, id: string) {
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  if (!delivery) throw new AppError("NOT_FOUND", "This delivery no longer exists.");
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, id))
    .orderBy(webhookAttempts.attempt);
  return { ...delivery, jobToken: undefined, attempts };
}

const REDELIVER_LIMIT = 1_000;

/**
 * Sends deliveries again from the start of the schedule, with the same id and body. A new job
 * token makes any retry still scheduled for them stale. `ids` null: every dead delivery of the
 * endpoint (up to 1,000 per call).
 */
export async function redeliver(db: TDb, boss: PgBoss, actor: TSessionUser, webhookId: string, ids: string[] | null) {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ id: string; job_token: string }>(sql`
      update ${webhookDeliveries} d set status = 'pending', job_token = gen_random_uuid(), next_attempt_at = now(),
        dispatched_at = coalesce(dispatched_at, now())
      where d.id in (
        select id from ${webhookDeliveries}
        where webhook_id = ${webhookId}
          and ${ids ? inArray(webhookDeliveries.id, ids) : sql`status = 'dead'`}
          and payload is not null
        order by created_at
        limit ${REDELIVER_LIMIT}
        for update)
      returning d.id, d.job_token`);
    if (ids && rows.length < ids.length) {
      throw new AppError("NOT_FOUND", "That delivery no longer exists or has not been sent yet.");
    }
    await enqueueMany(
      boss,
      "webhook.deliver",
      rows.map((row) => ({ deliveryId: row.id, token: row.job_token })),
      { tx },
    );
    await recordAudit(tx, actor, {
      action: "redeliver",
      entity: "webhook",
      entityId: webhookId,
      after: { deliveries: rows.length },
    });
    return { redelivered: rows.length };
  });
}
