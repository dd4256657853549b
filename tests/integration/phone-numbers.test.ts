import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { restClient, type TApiRequest, type TApiResponse } from "../support/rest-client";
import { trpcHttpClient, type TTrpcHttpAnswer } from "../support/trpc-http";
import { testContext } from "../support/trpc-context";

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;
let admin: TSessionUser;
let key: string;
let call: (method: string, path: string, request?: TApiRequest) => Promise<TApiResponse>;
let trpc: ReturnType<typeof trpcHttpClient>;

/** What an entry point made of a number: the E.164 it stored or used, or the reason it refused it. */
type TVerdict = { ok: true; e164: string } | { ok: false; reason: string };

async function waIdOfContact(id: string) {
  const [row] = await database.db.select({ waId: contacts.waId }).from(contacts).where(eq(contacts.id, id));
  return row!.waId;
}

function fromTrpc(answer: TTrpcHttpAnswer, read: (data: Record<string, unknown>) => string): TVerdict {
  if (answer.code) return { ok: false, reason: answer.fieldErrors?.phone ?? answer.message ?? "" };
  return { ok: true, e164: read((answer.data as { json: Record<string, unknown> }).json) };
}

async function fromRest(
  response: TApiResponse,
  field: string,
  read: (body: TApiResponse["body"]) => Promise<string> | string,
): Promise<TVerdict> {
  if (response.status >= 400) {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    return { ok: false, reason: (response.body.error as { fields?: Record<string, string> }).fields?.[field] ?? "" };
  }
  return { ok: true, e164: await read(response.body) };
}

/** Every place a person or a system gives a number, each asked about the same number. */
const ENTRY_POINTS: Record<string, (phone: string) => Promise<TVerdict>> = {
  "Simulator (new contact)": async (phone) =>
    fromTrpc(await trpc("mutation", "simulator.checkNumber", { phone }), (data) => data.waId as string),
  "Simulator (send)": async (phone) =>
    fromTrpc(await trpc("mutation", "simulator.send", { phone, body: "hi" }), (data) => data.waId as string),
  "contact form": async (phone) =>
    fromTrpc(await trpc("mutation", "contacts.save", { id: null, contact: { phone } }), (data) => data.waId as string),
  "CSV import": async (phone) => {
    const answer = await trpc("mutation", "contacts.importPreview", { csv: `phone\n"${phone}"\n` });
    const preview = (answer.data as { json: { sample: { phone: string; reason: string | null }[] } }).json;
    const row = preview.sample[0]!;
    return row.reason ? { ok: false, reason: row.reason } : { ok: true, e164: row.phone };
  },
  "REST PUT /contacts": async (phone) =>
    fromRest(await call("PUT", "/contacts", { key, body: { phone } }), "phone", (body) => body.phone as string),
  "REST POST /messages": async (phone) =>
    fromRest(
      await call("POST", "/messages", {
        key,
        body: { to: phone, body: "hi" },
        headers: { "idempotency-key": randomUUID() },
      }),
      "to",
      (body) => waIdOfContact(body.contactId as string),
    ),
  "REST POST /simulator/messages": async (phone) =>
    fromRest(
      await call("POST", "/simulator/messages", { key, body: { from: phone, body: "hi" } }),
      "from",
      (body) => body.waId as string,
    ),
};

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
  admin = await insertUser(database.db, "admin");
  key = (
    await createCaller(testContext({ db: database.db, user: admin })).apiKeys.create({
      name: "Numbers",
      scopes: ["read", "write"],
    })
  ).key;
  call = restClient({ db: database.db, boss });
  trpc = trpcHttpClient(() => testContext({ db: database.db, user: admin, boss }));
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

describe("phone numbers: one parser, the same verdict at every entry point", () => {
  // The org's default country is US (the settings default).
  const TABLE: [input: string, verdict: { e164: string } | { reason: string }][] = [
    ["+14155550123", { e164: "+14155550123" }],
    ["tel:+1-415-555-0124", { e164: "+14155550124" }],
    ["(415) 555-0125", { e164: "+14155550125" }],
    ["14155550126@c.us", { e164: "+14155550126" }],
    ["+44 20 7946 0958", { e164: "+442079460958" }],
    ["+1 555 123 4567", { reason: "is not a valid number for +1" }],
    ["+15551234567", { reason: "is not a valid number for +1" }],
    ["+1 415", { reason: "is too short" }],
    ["hello", { reason: "is not a phone number" }],
    ["tel:+1-415-555-0127;ext=9", { reason: "has an extension" }],
  ];

  it.each(TABLE)("[phone] %j gets the same verdict everywhere", async (input, expected) => {
    // One after the other: the contact form creates the contact first, the API then updates it.
    for (const [name, check] of Object.entries(ENTRY_POINTS)) {
      const verdict = await check(input);
      if ("e164" in expected) expect(verdict, name).toEqual({ ok: true, e164: expected.e164 });
      else {
        expect(verdict.ok, name).toBe(false);
        expect(verdict.ok ? "" : verdict.reason, name).toContain(`“${input}” ${expected.reason}`);
      }
    }
  });

  it("[phone] a number that came from WhatsApp itself is accepted everywhere afterwards, however it is typed", async () => {
    // libphonenumber says 555-123-4567 is no valid US number; WhatsApp delivered from it anyway.
    const stored = await ingestInbound(database.db, boss, {
      sessionId: database.sessionId,
      waMessageId: `wa-${randomUUID()}`,
      from: "15551230000@c.us",
      body: "hello",
    });
    if (stored.status !== "stored") throw new Error("not stored");
    for (const input of ["+15551230000", "tel:+1-555-123-0000", "+1 (555) 123-0000"]) {
      for (const [name, check] of Object.entries(ENTRY_POINTS)) {
        // The contact exists: the contact page edits it rather than adding it again.
        const verdict =
          name === "contact form"
            ? fromTrpc(
                await trpc("mutation", "contacts.save", {
                  id: stored.contactId,
                  contact: { phone: input, name: "Lee" },
                }),
                (data) => data.waId as string,
              )
            : await check(input);
        expect(verdict, `${name} ${input}`).toEqual({ ok: true, e164: "+15551230000" });
      }
    }
  });

  it("[phone] saving a contact never re-validates its unchanged number", async () => {
    const stored = await ingestInbound(database.db, boss, {
      sessionId: database.sessionId,
      waMessageId: `wa-${randomUUID()}`,
      from: "+999123456789",
      body: "from a country code libphonenumber does not know",
    });
    if (stored.status !== "stored") throw new Error("not stored");
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    const contact = await caller.contacts.get({ id: stored.contactId });
    const saved = await caller.contacts.save({
      id: contact.id,
      contact: { phone: contact.waId, name: "Renamed", tags: ["kept"] },
    });
    expect(saved).toMatchObject({ waId: "+999123456789", name: "Renamed" });
    // Changing it to a number people type is judged like any other.
    await expect(caller.contacts.save({ id: contact.id, contact: { phone: "+1 555 000 0000" } })).rejects.toThrow(
      /not a valid number/,
    );
  });
});
