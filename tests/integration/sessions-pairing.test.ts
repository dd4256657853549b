import { and, eq } from "drizzle-orm";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { NO_CAPABILITIES, type TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { SESSION_REQUESTS_CHANNEL } from "~/server/sessions/requests";
import { ENGINES, type TEngineOptions } from "~/workers/engines/registry";
import type { TEngine, TEngineHandlers } from "~/workers/engines/types";
import { insertUser } from "../support/database";
import { startPipeline, usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

/**
 * Linking a number by a code typed on the phone ("Link with phone number instead"): staff ask on
 * the Sessions page (`sessions.requestPairingCode`), the request is stored on the session row and
 * announced to the worker at once (NOTIFY), and the worker's engine answers with the code, which
 * lands on the row for the page to show. Asked of capabilities only: a test engine pairs by code.
 */

const BY_CODE: TEngineDescriptor = {
  kind: "bycode",
  label: "By code",
  description: "A test engine that links numbers by QR or by a code typed on the phone.",
  capabilities: { ...NO_CAPABILITIES, text: true, pairing: ["qr", "code"] },
  settings: [],
  controls: ["restart", "logout"],
  addable: true,
};

type TByCode = { handlers: TEngineHandlers | null; asked: string[] };

/** The test engine: shows a QR when started, answers a pairing request with a code, reports its memory. */
function byCodeEngine(state: TByCode): TEngine<Record<string, never>> {
  return {
    descriptor: BY_CODE,
    connect: () => ({
      async start(handlers) {
        state.handlers = handlers;
        await handlers.onQr("2@test-qr");
      },
      stop: () => Promise.resolve(),
      restart: () => Promise.resolve(),
      logout: () => Promise.resolve(),
      async requestPairingCode(phone) {
        state.asked.push(phone);
        await state.handlers!.onPairingCode("K7QX9M2P");
      },
      memory: () => Promise.resolve({ bytes: 18_500_000, scope: "shared" as const }),
      send: () => Promise.reject(new Error("not linked")),
    }),
  };
}

afterEach(() => {
  delete (ENGINES as Record<string, unknown>).bycode;
});

/** A pg client LISTENing on the session requests channel: what the worker would hear. */
async function listenToSessionRequests(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const heard: unknown[] = [];
  client.on("notification", (notice) => {
    if (notice.channel === SESSION_REQUESTS_CHANNEL && notice.payload) heard.push(JSON.parse(notice.payload));
  });
  await client.query(`listen ${SESSION_REQUESTS_CHANNEL}`);
  return { heard, close: () => client.end() };
}

async function refusal(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => null,
    (caught: unknown) => caught,
  )) as {
    code: string;
    message: string;
    cause?: { fieldErrors?: Record<string, string>; issues?: { message: string; path: string[] }[] };
  } | null;
  expect(error, "expected a refusal").not.toBeNull();
  return error!;
}

describe("pairing by a code typed on the phone", () => {
  it("refuses in words what cannot be paired by code, and stores, audits and announces a valid request", async () => {
    const database = await usePreparedDatabase();
    const listener = await listenToSessionRequests(database.url);
    try {
      await publishEngines(database.db, [BY_CODE], "test");
      const admin = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "admin") }));
      const agent = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "agent") }));
      const [session] = await database.db
        .insert(waSessions)
        .values({ name: "Front desk", kind: "bycode", status: "qr", qr: "2@old", pairingCode: "OLDCODE1" })
        .returning();
      const [byQrOnly] = await database.db
        .insert(waSessions)
        .values({ name: "Scanned", kind: "wwebjs", status: "qr" })
        .returning();
      const [linked] = await database.db
        .insert(waSessions)
        .values({ name: "Linked", kind: "bycode", status: "ready", phone: "+14155550000" })
        .returning();

      // A number that is not one: a field error in words, nothing stored.
      const bad = await refusal(admin.sessions.requestPairingCode({ id: session!.id, phone: "12" }));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.cause?.fieldErrors?.phone).toMatch(/too short|not a (valid|phone) number/i);
      const empty = await refusal(admin.sessions.requestPairingCode({ id: session!.id, phone: "   " }));
      expect(empty.cause?.issues?.[0]).toMatchObject({
        path: ["phone"],
        message: "Enter the number to link, with its country code",
      });
      // An engine that pairs by QR only, a number linked already, a session that does not exist.
      expect(
        await refusal(admin.sessions.requestPairingCode({ id: byQrOnly!.id, phone: "+14155550123" })),
      ).toMatchObject({
        code: "BAD_REQUEST",
        message: "WhatsApp Web cannot link a number by a code typed on the phone; scan its QR code instead.",
      });
      expect(await refusal(admin.sessions.requestPairingCode({ id: linked!.id, phone: "+14155550123" }))).toMatchObject(
        {
          code: "BAD_REQUEST",
          message: "This number is linked already. Log it out first to link it again.",
        },
      );
      expect(
        await refusal(admin.sessions.requestPairingCode({ id: crypto.randomUUID(), phone: "+14155550123" })),
      ).toMatchObject({ code: "NOT_FOUND", message: "No such session." });
      // Who may restart or log a number out may ask for a code; an agent may not.
      expect(
        await refusal(agent.sessions.requestPairingCode({ id: session!.id, phone: "+14155550123" })),
      ).toMatchObject({ code: "FORBIDDEN" });
      const [untouched] = await database.db.select().from(waSessions).where(eq(waSessions.id, session!.id));
      expect(untouched).toMatchObject({ pairingPhone: null, pairingRequestedAt: null, pairingCode: "OLDCODE1" });

      // A number as people type it (the org's default country is the US): read into E.164.
      const before = Date.now();
      expect(await admin.sessions.requestPairingCode({ id: session!.id, phone: " (415) 555-0123 " })).toEqual({
        phone: "+14155550123",
      });
      const [row] = await database.db.select().from(waSessions).where(eq(waSessions.id, session!.id));
      expect(row).toMatchObject({ pairingPhone: "+14155550123", pairingCode: null, status: "qr" });
      expect(row!.pairingRequestedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      const audit = await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entity, "session"), eq(auditLog.entityId, session!.id)));
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: "pairing_code",
        after: { name: "Front desk", pairingPhone: "+14155550123" },
      });

      // The worker hears it at once, and only the request that was stored.
      await waitFor(() => Promise.resolve(listener.heard.length > 0 ? true : undefined), 5_000, "the NOTIFY");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(listener.heard).toEqual([{ sessionId: session!.id, request: "control" }]);
    } finally {
      await listener.close();
    }
  });

  it("the worker running the session asks its engine for the code, and the code reaches the session row", async () => {
    const state: TByCode = { handlers: null, asked: [] };
    Object.assign(ENGINES, { bycode: byCodeEngine(state) });
    const pipeline = await startPipeline({
      engines: { bycode: {} } as TEngineOptions,
      memorySampleMs: 200,
    });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Linked by code", engine: "bycode" });
    const listed = () => admin.sessions.list().then((sessions) => sessions.find((session) => session.id === id)!);
    await waitFor(async () => ((await listed()).status === "qr" ? true : undefined), 15_000, "the QR");

    await admin.sessions.requestPairingCode({ id, phone: "+55 11 98765-4321" });
    const shown = await waitFor(
      async () => {
        const session = await listed();
        return session.pairingCode ? session : undefined;
      },
      10_000,
      "the pairing code on the row",
    );
    expect(state.asked).toEqual(["+5511987654321"]);
    expect(shown).toMatchObject({ status: "qr", pairingPhone: "+5511987654321", pairingCode: "K7QX9M2P" });
    // Its memory as the engine measures it, for the page and health.
    const measured = await waitFor(
      async () => {
        const session = await listed();
        return session.memoryBytes ? session : undefined;
      },
      10_000,
      "the memory sample",
    );
    expect(measured).toMatchObject({ memoryBytes: 18_500_000, memoryScope: "shared" });
  });
});
