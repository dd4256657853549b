import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts, messages } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { ingestInboundBatch } from "~/server/messaging/ingest";
import { recordPhoneMessage } from "~/server/messaging/phone-message";
import type { TWwebjsMessage } from "~/workers/engines/wwebjs/client";
import { mapInbound } from "~/workers/engines/wwebjs/mapping";
import { usePreparedDatabase } from "../support/pipeline";

let database: Awaited<ReturnType<typeof usePreparedDatabase>>;
let boss: PgBoss;

beforeAll(async () => {
  database = await usePreparedDatabase();
  boss = createBoss(database.url, "web");
  await boss.start();
});

afterAll(async () => {
  await boss.stop({ graceful: false });
});

function wwebjsMessage(overrides: Partial<TWwebjsMessage>): TWwebjsMessage {
  return {
    id: { _serialized: `wa-${Math.random()}`, fromMe: false },
    from: "14155550160@c.us",
    to: "14155550000@c.us",
    body: "",
    type: "chat",
    timestamp: Math.floor(Date.now() / 1000),
    fromMe: false,
    hasMedia: false,
    ...overrides,
  };
}

describe("what WhatsApp delivers is stored, repaired, never refused", () => {
  it("[ingest] repairs NUL and lone surrogates in every field (name, file name, type, ids), flags the message, and keeps the batch", async () => {
    const [hostile, ordinary] = await ingestInboundBatch(database.db, boss, [
      {
        sessionId: database.sessionId,
        waMessageId: "in-\u0000-1",
        from: "+14155550161",
        pushName: "Ana\u0000 \uD800Lima",
        type: "document",
        body: "see \u0000 file",
        media: { mimeType: "application/pdf\u0000", fileName: "report\uDC00.pdf", size: 10 },
      },
      { sessionId: database.sessionId, waMessageId: "in-2", from: "+14155550162", pushName: "Bo", body: "hi" },
    ]);
    expect(hostile).toMatchObject({ status: "stored" });
    expect(ordinary).toMatchObject({ status: "stored" });
    if (hostile?.status !== "stored") throw new Error("not stored");
    const [message] = await database.db.select().from(messages).where(eq(messages.id, hostile.messageId));
    expect(message).toMatchObject({
      waMessageId: "in--1",
      body: "see  file",
      media: { mimeType: "application/pdf", fileName: "report\uFFFD.pdf", size: 10 },
    });
    expect(message!.flags).toEqual(expect.arrayContaining(["nul_removed", "invalid_utf16"]));
    const [contact] = await database.db.select().from(contacts).where(eq(contacts.id, hostile.contactId));
    expect(contact!.name).toBe("Ana \uFFFDLima");
  });

  it("[wwebjs] a location name and a contact card with NUL or lone surrogates are stored repaired", async () => {
    const location = mapInbound(
      wwebjsMessage({
        type: "location",
        location: { latitude: 1, longitude: 2, name: "Caf\u0000é \uD83D", description: "Caf\u0000é \uD83D" },
      }),
      database.sessionId,
    )!;
    const card = mapInbound(
      wwebjsMessage({
        from: "14155550163@c.us",
        type: "vcard",
        vCards: ["BEGIN:VCARD\nFN:Jo\u0000\nEND:VCARD"],
        _data: { notifyName: "\uDC00Jo" },
      }),
      database.sessionId,
    )!;
    const results = await ingestInboundBatch(database.db, boss, [location, card]);
    expect(results.map((result) => result.status)).toEqual(["stored", "stored"]);
    const bodies = await Promise.all(
      results.map(async (result) =>
        result.status === "stored"
          ? (await database.db.select().from(messages).where(eq(messages.id, result.messageId)))[0]
          : undefined,
      ),
    );
    expect(bodies[0]).toMatchObject({
      type: "location",
      body: "[Location: Café \uFFFD (1, 2)]",
      content: { kind: "location", lat: 1, lng: 2, name: "Café \uFFFD" },
    });
    expect(bodies[1]).toMatchObject({
      type: "contact",
      body: "[Contact: Jo]",
      content: { kind: "contacts", contacts: [{ name: "Jo", phones: [], vcard: "BEGIN:VCARD\nFN:Jo\nEND:VCARD" }] },
    });
  });

  it("[phone] a message typed on the linked phone with a NUL is stored repaired and flagged", async () => {
    expect(
      await recordPhoneMessage(database.db, database.sessionId, {
        to: "+14155550164",
        waMessageId: "phone-\u0000",
        body: "typed \u0000 here \uD800",
        at: new Date(),
      }),
    ).toBe("stored");
    const [stored] = await database.db.select().from(messages).where(eq(messages.waMessageId, "phone-"));
    expect(stored).toMatchObject({ body: "typed  here \uFFFD", source: "phone" });
    expect(stored!.flags).toEqual(expect.arrayContaining(["nul_removed", "invalid_utf16"]));
  });
});
