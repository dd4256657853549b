import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactIdentities, contacts, events, messages, waSessions } from "~/db/schema";
import { sealCloudSecrets } from "~/server/cloud/config";
import { handleCloudWebhookGet, handleCloudWebhookPost, type TCloudWebhookDeps } from "~/server/cloud/webhook";
import { createBoss } from "~/server/jobs/boss";
import { QUEUES } from "~/server/jobs/queues";
import { ingestInbound } from "~/server/messaging/ingest";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { handleCloudWebhook } from "~/workers/handlers/cloud";
import type { TJobContext } from "~/workers/runtime";
import { CLOUD_EXAMPLE, CLOUD_PAYLOADS, cloudMessage, signCloudWebhook } from "../support/cloud-webhooks";
import { log, usePreparedDatabase } from "../support/pipeline";

/**
 * The Cloud API's webhook end to end, short of HTTP: the route's handlers with real Requests
 * (app/api/whatsapp/cloud/[sessionId]/route.ts only wires them), the real `cloud.webhook`
 * queue in pg-boss, and its real handler storing into a real database.
 */

const APP_SECRET = "cloud-webhook-test-secret-0123456789abcdef";
const BASE = "http://127.0.0.1:3999";

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let sessionId: string;
let deps: TCloudWebhookDeps;

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  await publishEngines(
    database.db,
    [
      {
        kind: "cloud",
        label: "WhatsApp Cloud API",
        description: "Meta's official API",
        capabilities: { ...NO_CAPABILITIES, text: true, webhookInbound: true },
        settings: [],
        controls: [],
        addable: true,
      },
    ],
    "test",
  );
  const [session] = await database.db
    .insert(waSessions)
    .values({
      name: "Bakery (Cloud API)",
      kind: "cloud",
      engineConfig: { phoneNumberId: CLOUD_EXAMPLE.phoneNumberId, businessAccountId: CLOUD_EXAMPLE.businessAccountId },
      engineSecrets: sealCloudSecrets(
        {
          accessToken: "EAAFakeGraphToken0123456789abcdef",
          appSecret: CLOUD_EXAMPLE.appSecret,
          verifyToken: CLOUD_EXAMPLE.verifyToken,
        },
        APP_SECRET,
      ),
    })
    .returning({ id: waSessions.id });
  sessionId = session!.id;
  deps = { db: database.db, boss: () => Promise.resolve(boss), secret: APP_SECRET, logger: log };
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

const url = (id = sessionId, query = "") => `${BASE}/api/whatsapp/cloud/${id}${query}`;

function post(body: string | Buffer, headers: Record<string, string> = {}, id = sessionId) {
  return handleCloudWebhookPost(
    new Request(url(id), {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "content-type": "application/json", ...headers },
    }),
    id,
    deps,
  );
}

/** Posts a payload as Meta does: JSON, signed with the app secret. */
function postSigned(payload: unknown) {
  const body = JSON.stringify(payload);
  return post(body, { "x-hub-signature-256": signCloudWebhook(body) });
}

async function queued(name: string): Promise<number> {
  const { rows } = await database.pool.query<{ count: string }>(
    "select count(*) from pgboss.job where name = $1 and state < 'active'",
    [name],
  );
  return Number(rows[0]!.count);
}

/** Works every waiting `cloud.webhook` job with the real handler, as a worker would; the errors of those that failed. */
async function drain(): Promise<string[]> {
  const failures: string[] = [];
  for (;;) {
    const jobs = await boss.fetch("cloud.webhook", { batchSize: 20 });
    if (jobs.length === 0) return failures;
    for (const job of jobs) {
      const payload = QUEUES["cloud.webhook"].payload.parse(job.data);
      try {
        await handleCloudWebhook(payload, { db: database.db, boss, log, job } as unknown as TJobContext);
        await boss.complete("cloud.webhook", job.id);
      } catch (error) {
        failures.push((error as Error).message);
        // Cancelled, not failed: a retry would come back after its delay, in the middle of another test.
        await boss.cancel("cloud.webhook", job.id);
      }
    }
  }
}

async function inboundByWamid(waMessageId: string) {
  return database.db
    .select()
    .from(messages)
    .where(and(eq(messages.sessionId, sessionId), eq(messages.waMessageId, waMessageId)));
}

describe("GET: Meta's subscription challenge", () => {
  const get = (query: string, id = sessionId) => handleCloudWebhookGet(new Request(url(id, query)), id, deps);

  it("[challenge] the right verify token gets the challenge back as text; a wrong one, or another mode, 403", async () => {
    const right = await get(
      `?hub.mode=subscribe&hub.verify_token=${CLOUD_EXAMPLE.verifyToken}&hub.challenge=1158201444`,
    );
    expect(right.status).toBe(200);
    expect(right.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await right.text()).toBe("1158201444");
    for (const query of [
      "?hub.mode=subscribe&hub.verify_token=wrong-token-value&hub.challenge=1",
      `?hub.mode=subscribe&hub.verify_token=${CLOUD_EXAMPLE.verifyToken}x&hub.challenge=1`,
      `?hub.mode=unsubscribe&hub.verify_token=${CLOUD_EXAMPLE.verifyToken}&hub.challenge=1`,
      "?hub.mode=subscribe&hub.challenge=1",
    ]) {
      const response = await get(query);
      expect(response.status, query).toBe(403);
      expect(await response.text()).not.toContain("1");
    }
  });

  it("[unknown] another session, a session whose engine takes no webhooks, a URL that is no id: 404", async () => {
    const query = `?hub.mode=subscribe&hub.verify_token=${CLOUD_EXAMPLE.verifyToken}&hub.challenge=1`;
    expect((await get(query, randomUUID())).status).toBe(404);
    expect((await get(query, database.sessionId)).status).toBe(404); // the simulator
    expect((await get(query, "not-a-uuid")).status).toBe(404);
  });
});

describe("POST: signed notifications", () => {
  it("[text] a signed text is answered 200 at once, then stored once with its message.process job", async () => {
    const id = `wamid.text-${randomUUID()}`;
    const before = await queued("message.process");
    const response = await postSigned(CLOUD_PAYLOADS.text({ id }));
    expect(response.status).toBe(200);
    expect(await inboundByWamid(id)).toHaveLength(0); // queued, not stored by the web
    expect(await drain()).toEqual([]);
    const [message] = await inboundByWamid(id);
    expect(message).toMatchObject({ direction: "in", type: "text", body: "Does it come in another color?" });
    expect(await queued("message.process")).toBe(before + 1);
    const [contact] = await database.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.sessionId, sessionId), eq(contacts.waId, "+16505551234")));
    expect(contact?.name).toBe("Sheena Nelson");
  });

  it("[signature] wrong, missing, another body's, malformed or another secret's: 401 and nothing queued", async () => {
    const body = JSON.stringify(CLOUD_PAYLOADS.text({ id: `wamid.forged-${randomUUID()}` }));
    const good = signCloudWebhook(body);
    const before = await queued("cloud.webhook");
    for (const headers of [
      {} as Record<string, string>,
      { "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
      { "x-hub-signature-256": signCloudWebhook(`${body} `) },
      { "x-hub-signature-256": good.slice(7) },
      { "x-hub-signature-256": `sha1=${good.slice(7)}` },
      { "x-hub-signature-256": good.slice(0, -1) },
      { "x-hub-signature-256": signCloudWebhook(body, "fedcba9876543210fedcba9876543210") },
      { "x-hub-signature": good },
    ]) {
      const response = await post(body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
    }
    // The right signature over a body changed after signing.
    expect((await post(body.replace("color", "colour"), { "x-hub-signature-256": good })).status).toBe(401);
    expect(await queued("cloud.webhook")).toBe(before);
  });

  it("[retries] the same signed body posted three times makes one message", async () => {
    const id = `wamid.retry-${randomUUID()}`;
    const body = JSON.stringify(CLOUD_PAYLOADS.text({ id }));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await post(body, { "x-hub-signature-256": signCloudWebhook(body) })).status).toBe(200);
    }
    expect(await queued("cloud.webhook")).toBe(1);
    // And if a retry comes later, as a second job: ingest stores it once all the same.
    await postSigned({ ...CLOUD_PAYLOADS.text({ id }), extra: "a later retry" });
    expect(await drain()).toEqual([]);
    expect(await inboundByWamid(id)).toHaveLength(1);
  });

  it("[image] a message with its file pending, Meta's media id to fetch it with, on the session's media queue", async () => {
    const id = `wamid.image-${randomUUID()}`;
    await boss.createQueue(`media.${sessionId}`).catch(() => undefined);
    const before = await queued(`media.${sessionId}`);
    await postSigned(CLOUD_PAYLOADS.image({ id, mediaId: "4490709327384033" }));
    expect(await drain()).toEqual([]);
    const [message] = await inboundByWamid(id);
    expect(message?.type).toBe("image");
    expect(message?.content).toMatchObject({
      kind: "image",
      caption: "Best succulent ever?",
      media: { mimeType: "image/jpeg", engineRef: "4490709327384033", state: "pending" },
    });
    expect(await queued(`media.${sessionId}`)).toBe(before + 1);
  });

  it("[identities] a sender with a number, a BSUID and a username is one contact with all three; the username-only sender is found by BSUID", async () => {
    const userId = "US.13491208655302741918";
    await postSigned(CLOUD_PAYLOADS.phoneBsuidUsername({ id: `wamid.p-${randomUUID()}`, userId }));
    // Later Meta withholds the number: the BSUID alone reaches the same contact.
    await postSigned(CLOUD_PAYLOADS.usernameOnly({ id: `wamid.u-${randomUUID()}`, userId }));
    expect(await drain()).toEqual([]);
    const found = await database.db
      .select({ contactId: contactIdentities.contactId, kind: contactIdentities.kind, value: contactIdentities.value })
      .from(contactIdentities)
      .where(eq(contactIdentities.sessionId, sessionId));
    const pablo = found.filter((row) => row.value === "+14155550123")[0]!.contactId;
    expect(
      found
        .filter((row) => row.contactId === pablo)
        .map((row) => `${row.kind}:${row.value}`)
        .sort(),
    ).toEqual(["bsuid:US.13491208655302741918", "phone:+14155550123", "username:pablo.morales"]);
    const threadsOfPablo = await database.db.execute<{ count: string }>(
      sql`select count(*) from messages m join threads t on t.id = m.thread_id where t.contact_id = ${pablo}`,
    );
    expect(Number(threadsOfPablo.rows[0]!.count)).toBe(2);
  });

  it("[username] a first message with no number at all makes a contact addressed by the BSUID", async () => {
    const userId = "BR.1502576394655843";
    await postSigned(CLOUD_PAYLOADS.usernameOnly({ id: `wamid.b-${randomUUID()}`, userId, username: "ana.souza" }));
    expect(await drain()).toEqual([]);
    const [contact] = await database.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.sessionId, sessionId), eq(contacts.waId, `bsuid:${userId}`)));
    expect(contact?.name).toBe("Pablo Morales");
    const kinds = await database.db
      .select({ kind: contactIdentities.kind, value: contactIdentities.value })
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, contact!.id));
    expect(kinds.map((row) => `${row.kind}:${row.value}`).sort()).toEqual([`bsuid:${userId}`, "username:ana.souza"]);
  });
});

describe("statuses", () => {
  /** A message the business sent to Sheena, recorded with its Meta id. */
  async function sentMessage(status: "sent" | "delivered" | "read" = "sent") {
    const seed = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: `wamid.seed-${randomUUID()}`,
      from: "+16505551234",
      body: "hello",
    });
    if (seed.status !== "stored") throw new Error("not stored");
    const waMessageId = `wamid.out-${randomUUID()}`;
    const [row] = await database.db
      .insert(messages)
      .values({
        sessionId,
        threadId: seed.threadId,
        direction: "out",
        waMessageId,
        type: "text",
        body: "Yes, in blue and green.",
        source: "rule",
        status,
        sentAt: new Date(),
      })
      .returning({ id: messages.id });
    return { id: row!.id, waMessageId, contactId: seed.contactId };
  }

  const statusOf = async (id: string) => (await database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

  it("[ticks] sent changes nothing; delivered then read move the ticks, never back", async () => {
    const sent = await sentMessage();
    await postSigned(CLOUD_PAYLOADS.status("sent", { id: sent.waMessageId }));
    expect(await drain()).toEqual([]);
    expect((await statusOf(sent.id)).status).toBe("sent");
    await postSigned(CLOUD_PAYLOADS.status("delivered", { id: sent.waMessageId }));
    expect(await drain()).toEqual([]);
    expect(await statusOf(sent.id)).toMatchObject({ status: "delivered", deliveredAt: expect.any(Date) });
    await postSigned(CLOUD_PAYLOADS.status("read", { id: sent.waMessageId }));
    await postSigned(CLOUD_PAYLOADS.status("delivered", { id: sent.waMessageId, timestamp: "1750263999" }));
    expect(await drain()).toEqual([]);
    expect(await statusOf(sent.id)).toMatchObject({ status: "read", readAt: expect.any(Date) });
  });

  it("[failed] Meta's code and title on the message, one message.failed event; a read message stays read", async () => {
    const sent = await sentMessage("delivered");
    await postSigned(CLOUD_PAYLOADS.status("failed", { id: sent.waMessageId }));
    // Meta's retry of the same status, later: nothing more.
    await postSigned({ ...CLOUD_PAYLOADS.status("failed", { id: sent.waMessageId }), retry: 1 });
    expect(await drain()).toEqual([]);
    const failed = await statusOf(sent.id);
    expect(failed).toMatchObject({ status: "failed", failedAt: expect.any(Date) });
    expect(failed.error).toBe(
      "Meta error 131049: This message was not delivered to maintain healthy ecosystem engagement. — In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    );
    const recorded = await database.db
      .select()
      .from(events)
      .where(and(eq(events.messageId, sent.id), eq(events.type, "message.failed")));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ contactId: sent.contactId, payload: { error: failed.error } });

    const read = await sentMessage("read");
    await postSigned(CLOUD_PAYLOADS.status("failed", { id: read.waMessageId }));
    expect(await drain()).toEqual([]);
    expect((await statusOf(read.id)).status).toBe("read");
  });

  it("[early] a status for a send not recorded yet fails the job (pg-boss retries it) and lands once it is", async () => {
    const sent = await sentMessage();
    const waMessageId = `wamid.early-${randomUUID()}`;
    await postSigned(CLOUD_PAYLOADS.status("read", { id: waMessageId }));
    expect(await drain()).toEqual(["1 status(es) for messages not recorded yet"]);
    await database.db.update(messages).set({ waMessageId }).where(eq(messages.id, sent.id));
    await postSigned(CLOUD_PAYLOADS.status("read", { id: waMessageId, timestamp: "1750264000" }));
    expect(await drain()).toEqual([]);
    expect((await statusOf(sent.id)).status).toBe("read");
  });
});

describe("hostile bodies", () => {
  it("[size] a body past the cap is refused with 413 before its signature is even read; so is one that says so", async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    expect((await post(big, { "x-hub-signature-256": signCloudWebhook(big) })).status).toBe(413);
    const liar = new Request(url(), {
      method: "POST",
      body: "{}",
      headers: { "content-length": String(50 * 1024 * 1024) },
    });
    expect((await handleCloudWebhookPost(liar, sessionId, deps)).status).toBe(413);
  });

  it("[json] signed but not JSON, or nested past reason: 400", async () => {
    for (const body of ["{not json", "", "[".repeat(5_000) + "]".repeat(5_000), "\u0000"]) {
      const response = await post(body, { "x-hub-signature-256": signCloudWebhook(body) });
      expect(response.status, body.slice(0, 20)).toBe(400);
    }
  });

  it("[repair] NUL and lone surrogates in a signed message: 200, stored repaired, never a 500", async () => {
    const id = `wamid.hostile-${randomUUID()}`;
    const payload = cloudMessage(
      "text",
      { text: { body: "bad \u0000 text \uD800 here" } },
      { id, name: "Ana\u0000 \uDC00Lima" },
    );
    const body = JSON.stringify(payload);
    expect((await post(body, { "x-hub-signature-256": signCloudWebhook(body) })).status).toBe(200);
    expect(await drain()).toEqual([]);
    const [message] = await inboundByWamid(id);
    expect(message?.body).toBe("bad  text \uFFFD here");
  });

  it("[megabyte] a signed text of almost a megabyte is stored (cut to the longest text kept)", async () => {
    const id = `wamid.big-${randomUUID()}`;
    const body = JSON.stringify(cloudMessage("text", { text: { body: "x".repeat(1_000_000) } }, { id }));
    expect((await post(body, { "x-hub-signature-256": signCloudWebhook(body) })).status).toBe(200);
    expect(await drain()).toEqual([]);
    const [message] = await inboundByWamid(id);
    expect(message?.body.length).toBe(65_536);
    expect(message?.flags).toContain("truncated");
  });
});
