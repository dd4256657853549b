import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhooks } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { recordEvents } from "~/server/events/events";
import { defaultWebhookConfig, type TWebhookConfig } from "~/server/webhooks/deliver";
import { WEBHOOK_EVENT_TYPES } from "~/server/webhooks/events";
import { insertUser } from "../support/database";
import { inbound, startPipeline, usePreparedDatabase, type TPipeline } from "../support/pipeline";
import { spawnTs, waitFor } from "../support/processes";
import { startWebhookReceiver } from "../support/webhook-receiver";
import { testContext } from "../support/trpc-context";

const APP_SECRET = "w".repeat(40);
/** A compressed schedule: twenty attempts within a few seconds. */
const FAST_SCHEDULE = [0, ...Array.from({ length: 19 }, (_, index) => 0.05 * (index + 1))];

function webhookConfig(overrides: Partial<TWebhookConfig> = {}): TWebhookConfig {
  return defaultWebhookConfig(APP_SECRET, {
    allowPrivate: true,
    timeoutMs: 2_000,
    scheduleS: FAST_SCHEDULE,
    ...overrides,
  });
}

async function pipelineWithWebhooks(overrides: Partial<TWebhookConfig> = {}) {
  const config = webhookConfig(overrides);
  return startPipeline({}, { webhooks: config });
}

function adminOf(pipeline: { db: TPipeline["db"]; boss?: TPipeline["boss"] }, user: TSessionUser, allowPrivate = true) {
  return createCaller(
    testContext({
      db: pipeline.db,
      user,
      ...(pipeline.boss ? { boss: pipeline.boss } : {}),
      webhooks: { appSecret: APP_SECRET, allowPrivate, rotationOverlapHours: 24 },
    }),
  );
}

async function deliveriesOf(pipeline: { db: TPipeline["db"] }, webhookId: string) {
  return pipeline.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId));
}

describe("webhooks out", () => {
  it("delivers every event to a receiver that fails half the time, each body verified by the standardwebhooks package", async () => {
    const receiver = await startWebhookReceiver(() => ({ status: Math.random() < 0.5 ? 503 : 200 }));
    const pipeline = await startPipeline({}, { webhooks: webhookConfig() });
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"));
    const { endpoint, secret } = await admin.webhooks.create({ url: receiver.url, events: ["contact.updated"] });
    const count = 200;
    const eventIds: string[] = [];
    for (let batch = 0; batch < count / 50; batch += 1) {
      await pipeline.db.transaction(async (tx) => {
        const list = Array.from({ length: 50 }, (_, index) => ({
          type: "contact.updated" as const,
          payload: { n: batch * 50 + index },
        }));
        await recordEvents(tx, list);
      });
    }
    // A type the endpoint does not subscribe to is not delivered.
    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);

    const delivered = await waitFor(
      async () => {
        const rows = await deliveriesOf(pipeline, endpoint.id);
        return rows.length === count && rows.every((row) => row.status === "delivered") ? rows : undefined;
      },
      60_000,
      async () => {
        const rows = await deliveriesOf(pipeline, endpoint.id);
        return `all ${count} delivered; statuses: ${JSON.stringify(
          Object.groupBy(rows, (row) => row.status),
          (key, value: unknown) => (Array.isArray(value) && key !== "" ? value.length : value),
        )}`;
      },
    );
    for (const row of delivered) eventIds.push(row.eventId);
    const [listed] = await admin.webhooks.list();
    expect(listed?.stats).toMatchObject({ delivered: count, retrying: 0, dead: 0 });
    expect(new Set(eventIds).size).toBe(count);

    const verifier = new Webhook(secret);
    const byId = new Map<string, { bodies: Set<string>; ok: number }>();
    for (const request of receiver.received) {
      const headers = request.headers as Record<string, string>;
      const payload = verifier.verify(request.body, headers) as {
        id: string;
        type: string;
        data: { details: { n: number } };
      };
      expect(payload.type).toBe("contact.updated");
      const entry = byId.get(headers["webhook-id"]!) ?? { bodies: new Set(), ok: 0 };
      entry.bodies.add(request.body);
      byId.set(headers["webhook-id"]!, entry);
    }
    // One webhook-id per delivery, the same id and the same body on every retry.
    expect(byId.size).toBe(count);
    for (const [, entry] of byId) expect(entry.bodies.size).toBe(1);
    expect(receiver.received.length).toBeGreaterThan(count); // there were retries
    const retried = delivered.filter((row) => row.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    const attempts = await pipeline.db
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
      .where(eq(webhookDeliveries.webhookId, endpoint.id));
    expect(attempts[0]?.n).toBe(receiver.received.length);
  });

  it("does not retry a 400, disables the endpoint on 410 Gone, and honours Retry-After", async () => {
    let mode: "400" | "410" | "429" = "400";
    const receiver = await startWebhookReceiver(() =>
      mode === "429" ? { status: 429, headers: { "retry-after": "3" } } : { status: Number(mode) },
    );
    const pipeline = await pipelineWithWebhooks();
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"));
    const { endpoint } = await admin.webhooks.create({ url: receiver.url });

    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    const [bad] = await waitFor(
      async () => {
        const rows = await deliveriesOf(pipeline, endpoint.id);
        return rows[0]?.status === "dead" ? rows : undefined;
      },
      10_000,
      "the 400 to be given up",
    );
    expect(bad).toMatchObject({ attempts: 1, lastHttpStatus: 400, lastError: "HTTP 400 (not retried)" });

    mode = "429";
    await recordEvents(pipeline.db, [{ type: "contact.updated", payload: {} }]);
    const limited = await waitFor(
      async () =>
        (await deliveriesOf(pipeline, endpoint.id)).find(
          (row) => row.eventType === "contact.updated" && row.status === "retrying",
        ),
      10_000,
      "the 429 to be retried later",
    );
    const [firstAttempt] = await pipeline.db
      .select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, limited.id));
    // The schedule says 0.05 s; the receiver asked for 3 s.
    expect(limited.nextAttemptAt!.getTime() - firstAttempt!.at.getTime()).toBeGreaterThanOrEqual(2_900);

    mode = "410";
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(webhooks).where(eq(webhooks.id, endpoint.id));
        return row?.enabled === false ? row : undefined;
      },
      15_000,
      "the endpoint to be disabled by 410",
    ).then((row) => expect(row.disabledReason).toBe("The receiver answered 410 Gone."));
    // A disabled endpoint gets no new deliveries.
    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      (await deliveriesOf(pipeline, endpoint.id)).filter((row) => row.eventType === "contact.created"),
    ).toHaveLength(1);
  });

  it("signs with both secrets during a rotation, sends a test event, and redelivers a dead delivery with the same id", async () => {
    let status = 500;
    const receiver = await startWebhookReceiver(() => ({ status }));
    const pipeline = await pipelineWithWebhooks({ scheduleS: [0, 0.05] });
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"));
    const { endpoint, secret: oldSecret } = await admin.webhooks.create({ url: receiver.url });

    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    const [dead] = await waitFor(
      async () => {
        const rows = await deliveriesOf(pipeline, endpoint.id);
        return rows[0]?.status === "dead" ? rows : undefined;
      },
      10_000,
      "the delivery to die after two attempts",
    );
    expect(dead?.attempts).toBe(2);
    expect(await admin.webhooks.deliveries({ webhookId: endpoint.id, status: "dead" })).toMatchObject({
      deliveries: [{ id: dead!.id, attempts: 2, lastHttpStatus: 500 }],
    });

    const { secret: newSecret } = await admin.webhooks.rotateSecret({ id: endpoint.id });
    status = 200;
    expect(await admin.webhooks.redeliver({ webhookId: endpoint.id, deliveryIds: null })).toEqual({ redelivered: 1 });
    await waitFor(
      async () => ((await deliveriesOf(pipeline, endpoint.id))[0]?.status === "delivered" ? true : undefined),
      10_000,
      "the redelivery",
    );
    const last = receiver.received.at(-1)!;
    expect(last.headers["webhook-id"]).toBe(dead!.id);
    expect(receiver.received.map((request) => request.headers["webhook-id"])).toEqual([dead!.id, dead!.id, dead!.id]);
    expect(String(last.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    // Receivers with either secret accept it.
    for (const secret of [oldSecret, newSecret]) {
      expect(() => new Webhook(secret).verify(last.body, last.headers as Record<string, string>)).not.toThrow();
    }

    const test = await admin.webhooks.sendTest({ id: endpoint.id });
    const testDelivery = await waitFor(
      async () => {
        const row = (await deliveriesOf(pipeline, endpoint.id)).find((entry) => entry.id === test.deliveryId);
        return row?.status === "delivered" ? row : undefined;
      },
      10_000,
      "the test event",
    );
    expect(testDelivery.eventType).toBe("webhook.test");
    const detail = await admin.webhooks.delivery({ id: test.deliveryId });
    expect(detail.attempts).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 200, responseExcerpt: "ok" })]);
  });

  it("sends real pipeline events (message.received, message.sent) with their message and contact", async () => {
    const receiver = await startWebhookReceiver();
    const pipeline = await pipelineWithWebhooks();
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"));
    const { endpoint, secret } = await admin.webhooks.create({
      url: receiver.url,
      events: ["message.received", "message.sent"],
    });
    await inbound(pipeline, "+15550004001", "hello webhooks");
    await waitFor(() => Promise.resolve(receiver.received.length >= 2), 15_000, "two webhooks");
    const payloads = receiver.received.map(
      (request) =>
        new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as {
          type: string;
          version: number;
          data: { message: { body: string; direction: string }; contact: { phone: string } };
        },
    );
    const received = payloads.find((payload) => payload.type === "message.received")!;
    expect(received).toMatchObject({
      version: 1,
      data: { message: { body: "hello webhooks", direction: "in" }, contact: { phone: "+15550004001" } },
    });
    const sent = payloads.find((payload) => payload.type === "message.sent")!;
    expect(sent.data.message.direction).toBe("out");
    expect(await deliveriesOf(pipeline, endpoint.id)).toHaveLength(2);
  });

  it("refuses private, loopback and metadata addresses, by IP or by host name, unless allowed", async () => {
    const database = await usePreparedDatabase();
    const strict = adminOf(database, await insertUser(database.db, "admin"), false);
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://10.0.0.1/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/hook",
      "http://localhost:9000/hook",
      "http://[::127.0.0.1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://0x7f.1/hook",
    ]) {
      await expect(strict.webhooks.create({ url }), url).rejects.toThrow(/private|loopback|reserved/);
    }
    await expect(strict.webhooks.create({ url: "ftp://example.com/x" })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(strict.webhooks.create({ url: "not a url" })).rejects.toThrow(/full URL/);
    expect(await database.db.$count(webhooks)).toBe(0);
  });

  it("refuses at delivery time an endpoint that now resolves to a private address", async () => {
    const receiver = await startWebhookReceiver();
    const pipeline = await pipelineWithWebhooks({ allowPrivate: false });
    // Saved while private networks were allowed (or DNS changed since): the connection is still refused.
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"), true);
    const { endpoint } = await admin.webhooks.create({ url: receiver.url.replace("127.0.0.1", "localhost") });
    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    const [row] = await waitFor(
      async () => {
        const rows = await deliveriesOf(pipeline, endpoint.id);
        return rows[0]?.status === "dead" ? rows : undefined;
      },
      10_000,
      "the blocked delivery",
    );
    expect(row?.lastError).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a private or loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it("refuses at delivery an IP-literal endpoint saved while private networks were allowed, once they are not", async () => {
    const receiver = await startWebhookReceiver();
    const pipeline = await pipelineWithWebhooks({ allowPrivate: false });
    // Saved with the allowance on (Node connects to an IP literal without calling `lookup`).
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"), true);
    const port = new URL(receiver.url).port;
    const literals = [receiver.url, `http://[::ffff:127.0.0.1]:${port}/`, `http://2130706433:${port}/`];
    const ids: string[] = [];
    for (const url of literals) ids.push((await admin.webhooks.create({ url })).endpoint.id);
    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    const rows = await waitFor(
      async () => {
        const found = await pipeline.db.select().from(webhookDeliveries);
        return found.length === literals.length && found.every((row) => row.status === "dead") ? found : undefined;
      },
      10_000,
      "every delivery to be refused",
    );
    for (const row of rows) {
      expect(row.lastError).toMatch(/^(127\.0\.0\.1|::ffff:7f00:1) is a private or loopback address/);
      // Refused before connecting: one attempt, no HTTP status, no retry.
      expect(row).toMatchObject({ attempts: 1, lastHttpStatus: null, nextAttemptAt: null });
    }
    expect(rows.map((row) => row.webhookId).sort()).toEqual([...ids].sort());
    expect(receiver.received).toHaveLength(0);
  });

  it("pages the delivery log without losing or repeating rows that share a millisecond", async () => {
    const database = await usePreparedDatabase();
    const admin = adminOf(database, await insertUser(database.db, "admin"));
    const { endpoint } = await admin.webhooks.create({ url: "http://127.0.0.1:9/hooks" });
    const total = 396;
    await recordEvents(
      database.db,
      Array.from({ length: total }, () => ({ type: "contact.created" as const, payload: {} })),
    );
    // Eight rows per millisecond, two per microsecond: every page boundary falls inside a
    // millisecond, and some inside a microsecond (the id breaks those ties).
    await database.db.execute(sql`
      with numbered as (
        select id, row_number() over (order by id) - 1 as n from ${webhookDeliveries} where webhook_id = ${endpoint.id})
      update ${webhookDeliveries} d
      set created_at = timestamptz '2026-03-01 12:00:00.000000+00'
        + (numbered.n / 8) * interval '1 millisecond' + ((numbered.n % 8) / 2) * interval '1 microsecond'
      from numbered where d.id = numbered.id`);
    for (const limit of [50, 7]) {
      const seen: string[] = [];
      let cursor: { at: string; id: string } | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof admin.webhooks.deliveries>> = await admin.webhooks.deliveries({
          webhookId: endpoint.id,
          cursor,
          limit,
        });
        seen.push(...page.deliveries.map((delivery) => delivery.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 1_000);
      expect(new Set(seen).size, `pages of ${limit}`).toBe(seen.length);
      expect(seen, `pages of ${limit}`).toHaveLength(total);
      expect(pages).toBe(Math.ceil(total / limit));
    }
    // A forged cursor is a clear refusal, not a database error.
    for (const at of ["2026-02-30T00:00:00.000000Z", "0000-01-01T00:00:00.000000Z", "yesterday"]) {
      await expect(
        admin.webhooks.deliveries({ webhookId: endpoint.id, cursor: { at, id: endpoint.id } }),
        at,
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
  });

  it("disables an endpoint that has failed for the configured time", async () => {
    const receiver = await startWebhookReceiver(() => ({ status: 500 }));
    const pipeline = await pipelineWithWebhooks({ scheduleS: [0], disableAfterMs: 60_000 });
    const admin = adminOf(pipeline, await insertUser(pipeline.db, "admin"));
    const { endpoint } = await admin.webhooks.create({ url: receiver.url });
    await pipeline.db
      .update(webhooks)
      .set({ failingSince: new Date(Date.now() - 61_000) })
      .where(eq(webhooks.id, endpoint.id));
    await recordEvents(pipeline.db, [{ type: "contact.created", payload: {} }]);
    const disabled = await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(webhooks).where(eq(webhooks.id, endpoint.id));
        return row?.enabled === false ? row : undefined;
      },
      10_000,
      "the endpoint to be disabled",
    );
    expect(disabled.disabledReason).toMatch(/^Disabled after failing since/);
    // Enabling it again clears the reason and the clock.
    await admin.webhooks.update({ id: endpoint.id, endpoint: { url: receiver.url, enabled: true } });
    const [enabled] = await pipeline.db.select().from(webhooks).where(eq(webhooks.id, endpoint.id));
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it("keeps the SQL fan-out's event types equal to WEBHOOK_EVENT_TYPES", async () => {
    const database = await usePreparedDatabase();
    const { rows } = await database.db.execute<{ types: string[] }>(
      sql`select switchboard_webhook_event_types() as types`,
    );
    expect([...rows[0]!.types].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  });

  it("retries with the same webhook-id when the worker is killed mid-delivery", { timeout: 90_000 }, async () => {
    let calls = 0;
    const receiver = await startWebhookReceiver(() => {
      calls += 1;
      return calls === 1 ? "hang" : { status: 200 };
    });
    const database = await usePreparedDatabase();
    const admin = adminOf(database, await insertUser(database.db, "admin"));
    const { endpoint } = await admin.webhooks.create({ url: receiver.url });
    const env = {
      DATABASE_URL: database.url,
      APP_SECRET,
      LOG_LEVEL: "warn",
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      WEBHOOK_TIMEOUT_MS: "30000",
    };
    const first = spawnTs("workers/main.ts", [], env);
    await recordEvents(database.db, [{ type: "contact.created", payload: { id: randomUUID() } }]);
    await waitFor(() => Promise.resolve(receiver.received.length === 1), 30_000, "the first attempt");
    first.child.kill("SIGKILL");
    await first.exited;
    const second = spawnTs("workers/main.ts", [], env);
    try {
      const [row] = await waitFor(
        async () => {
          const rows = await deliveriesOf(database, endpoint.id);
          return rows[0]?.status === "delivered" ? rows : undefined;
        },
        60_000,
        "the delivery after the crash",
      );
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.headers["webhook-id"]).toBe(receiver.received[0]!.headers["webhook-id"]);
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
      expect(row?.id).toBe(receiver.received[0]!.headers["webhook-id"]);
      const attempts = await database.db
        .select()
        .from(webhookAttempts)
        .where(and(eq(webhookAttempts.deliveryId, row!.id)));
      expect(attempts.map((attempt) => attempt.httpStatus)).toEqual([200]);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
