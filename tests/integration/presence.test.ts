import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contactIdentities, contacts, threads, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { ROLE_ACCESS, USER_ROLES, canAccess, type TSessionUser } from "~/server/auth/roles";
import type { TEventNotice } from "~/server/events/events";
import { EventHub } from "~/server/events/hub";
import { canSeeEvent } from "~/server/events/visibility";
import { forgetPresenceWatches, PRESENCE_WATCH_MIN_INTERVAL_MS, watchContactPresence } from "~/server/inbox/presence";
import { createLogger } from "~/server/logger";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { PRESENCE_CHANNEL, publishContactPresence } from "~/server/sessions/presence";
import { SESSION_REQUESTS_CHANNEL } from "~/server/sessions/requests";
import { simulatorEngine } from "~/workers/engines/simulator";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

/**
 * An engine that reports a watched contact's presence, as the web reads it from `wa_engines`
 * (published here: what is under test is the web's side, which asks the capability, never the kind).
 */
const WATCHER: TEngineDescriptor = {
  kind: "presence-test",
  label: "Presence test engine",
  description: "Reports contact presence (test descriptor)",
  capabilities: { ...simulatorEngine.descriptor.capabilities, contactPresence: true },
  settings: ["pacing"],
  controls: [],
  addable: false,
};

const PHONE = "+5511987654321";
const LID = "166337892180127";
const LID_ONLY = "277448903291238";

type TSetup = {
  db: TDb;
  url: string;
  pool: pg.Pool;
  agent: TSessionUser;
  manager: TSessionUser;
  watcherSessionId: string;
  simulatorSessionId: string;
  /** On the watcher engine's number: a contact known by phone and (told by the engine) by LID. */
  phone: { contactId: string; threadId: string };
  /** On the watcher engine's number: a contact known only by a LID. */
  lidOnly: { contactId: string; threadId: string };
  /** On the simulator's number (no contactPresence). */
  simulator: { contactId: string; threadId: string };
};
let setup: TSetup;
let listener: pg.Client;
/** Every session request announced since the last `drainRequests()`. */
let heard: unknown[] = [];

async function addConversation(db: TDb, sessionId: string, waId: string) {
  // The contact's own identity comes from its address (a trigger); the thread is its conversation.
  const [contact] = await db
    .insert(contacts)
    .values({ sessionId, waId, name: `Contact ${waId}` })
    .returning();
  const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
  return { contactId: contact!.id, threadId: thread!.id };
}

/** The requests heard so far, after a round trip that any NOTIFY sent before it has beaten. */
async function drainRequests(): Promise<unknown[]> {
  const marker = randomUUID();
  await setup.pool.query(`select pg_notify($1, $2)`, [SESSION_REQUESTS_CHANNEL, JSON.stringify({ marker })]);
  await waitFor(
    () => Promise.resolve(heard.some((each) => (each as { marker?: string }).marker === marker) || undefined),
    5_000,
    "the marker",
  );
  const out = heard.filter((each) => (each as { marker?: string }).marker === undefined);
  heard = [];
  return out;
}

beforeAll(async () => {
  const { sessionId, ...database } = await usePreparedDatabase();
  await publishEngines(database.db, [simulatorEngine.descriptor, WATCHER], "test");
  const [session] = await database.db
    .insert(waSessions)
    .values({ name: "Presence number", kind: WATCHER.kind, status: "ready" })
    .returning();
  const phone = await addConversation(database.db, session!.id, PHONE);
  // What an engine reports when it learns the LID behind a phone (Baileys' chats.phoneNumberShare).
  await database.db
    .insert(contactIdentities)
    .values({ sessionId: session!.id, contactId: phone.contactId, kind: "lid", value: LID, source: "engine" });
  setup = {
    db: database.db,
    url: database.url,
    pool: database.pool,
    agent: await insertUser(database.db, "agent"),
    manager: await insertUser(database.db, "manager"),
    watcherSessionId: session!.id,
    simulatorSessionId: sessionId,
    phone,
    lidOnly: await addConversation(database.db, session!.id, `${LID_ONLY}@lid`),
    simulator: await addConversation(database.db, sessionId, "+14155550199"),
  };
  listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  listener.on("notification", (message) => {
    if (message.channel === SESSION_REQUESTS_CHANNEL && message.payload) heard.push(JSON.parse(message.payload));
  });
  await listener.query(`LISTEN ${SESSION_REQUESTS_CHANNEL}`);
});

afterAll(async () => {
  await listener?.end();
});

afterEach(() => {
  forgetPresenceWatches();
  heard = [];
});

/** Runs `body` with `role` refused the inbox in the role table (no real role is: the table is what decides). */
async function withoutInbox<T>(role: keyof (typeof ROLE_ACCESS)["inbox"], body: () => Promise<T>): Promise<T> {
  const grant = ROLE_ACCESS.inbox[role];
  ROLE_ACCESS.inbox[role] = null;
  try {
    return await body();
  } finally {
    ROLE_ACCESS.inbox[role] = grant;
  }
}

describe("watching a contact's presence from the Inbox", () => {
  it("[agent] opening a conversation on a number whose engine has contactPresence asks its worker to watch the contact's address", async () => {
    const caller = createCaller(testContext({ db: setup.db, user: setup.agent }));
    expect(await caller.inbox.watchPresence({ threadId: setup.phone.threadId })).toEqual({ watching: true });
    expect(await caller.inbox.watchPresence({ threadId: setup.lidOnly.threadId })).toEqual({ watching: true });
    expect(await drainRequests()).toEqual([
      { sessionId: setup.watcherSessionId, request: "presence", to: PHONE },
      { sessionId: setup.watcherSessionId, request: "presence", to: `${LID_ONLY}@lid` },
    ]);
  });

  it("[agent] on a number whose engine does not report presence, nothing is asked and the answer says so", async () => {
    const caller = createCaller(testContext({ db: setup.db, user: setup.agent }));
    expect(await caller.inbox.watchPresence({ threadId: setup.simulator.threadId })).toEqual({ watching: false });
    expect(await drainRequests()).toEqual([]);
  });

  it("[agent] a conversation kept open is announced at most once per interval per thread", async () => {
    const now = Date.now();
    const watch = (at: number) => watchContactPresence(setup.db, setup.agent, setup.phone.threadId, at);
    expect(await watch(now)).toEqual({ watching: true });
    expect(await watch(now + 1_000)).toEqual({ watching: true });
    expect(await watch(now + PRESENCE_WATCH_MIN_INTERVAL_MS - 1)).toEqual({ watching: true });
    // Another conversation is its own: not held back by the first.
    await watchContactPresence(setup.db, setup.manager, setup.lidOnly.threadId, now + 1_000);
    expect(await drainRequests()).toHaveLength(2);
    expect(await watch(now + PRESENCE_WATCH_MIN_INTERVAL_MS)).toEqual({ watching: true });
    expect(await drainRequests()).toEqual([{ sessionId: setup.watcherSessionId, request: "presence", to: PHONE }]);
  });

  it("[agent] a conversation that is not there is refused as the inbox's thread read refuses it", async () => {
    const caller = createCaller(testContext({ db: setup.db, user: setup.agent }));
    const threadId = randomUUID();
    const read = await caller.inbox.thread({ threadId }).catch((error: unknown) => error);
    const watch = await caller.inbox.watchPresence({ threadId }).catch((error: unknown) => error);
    expect(watch).toMatchObject({ code: "NOT_FOUND", message: "This conversation no longer exists." });
    expect(watch).toMatchObject({ code: (read as { code: string }).code, message: (read as Error).message });
    expect(await drainRequests()).toEqual([]);
  });

  it("[agent] without inbox access in the role table, the watch is refused like the thread read, by the router and by the domain", async () => {
    const caller = createCaller(testContext({ db: setup.db, user: setup.agent }));
    await withoutInbox("agent", async () => {
      await expect(caller.inbox.thread({ threadId: setup.phone.threadId })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(caller.inbox.watchPresence({ threadId: setup.phone.threadId })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(watchContactPresence(setup.db, setup.agent, setup.phone.threadId)).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Your role cannot open the Inbox, so it cannot follow whether a contact is typing.",
      });
    });
    expect(await drainRequests()).toEqual([]);
    // With the role table as it is, the same agent may watch again.
    expect(await caller.inbox.watchPresence({ threadId: setup.phone.threadId })).toEqual({ watching: true });
  });
});

describe("a contact's presence, live", () => {
  it("[hub] a presence the worker publishes reaches a subscriber as contact.presence with the thread, and a malformed notice does not", async () => {
    const hub = new EventHub(setup.url, createLogger("test-events", "silent"));
    const received: TEventNotice[] = [];
    const unsubscribe = hub.subscribe((notice) => received.push(notice));
    await hub.ensureConnected();
    try {
      // Anyone who can connect can NOTIFY: a notice that is not one is dropped, not relayed.
      await setup.pool.query(`select pg_notify($1, $2)`, [PRESENCE_CHANNEL, JSON.stringify({ state: "typing" })]);
      await setup.pool.query(`select pg_notify($1, 'not json')`, [PRESENCE_CHANNEL]);
      const lastSeen = new Date("2026-12-06T10:00:00Z");
      await publishContactPresence(setup.db, setup.watcherSessionId, {
        from: `${PHONE.slice(1)}@s.whatsapp.net`,
        state: "typing",
      });
      await publishContactPresence(setup.db, setup.watcherSessionId, {
        from: `${LID}@lid`,
        state: "offline",
        lastSeen,
      });
      await waitFor(() => Promise.resolve(received.length >= 2 || undefined), 5_000, "two presence events");
      expect(received).toHaveLength(2);
      const [typing, offline] = received;
      expect(typing).toMatchObject({
        type: "contact.presence",
        sessionId: setup.watcherSessionId,
        contactId: setup.phone.contactId,
        threadId: setup.phone.threadId,
        messageId: null,
        presence: { state: "typing", lastSeen: null },
      });
      expect(offline).toMatchObject({
        type: "contact.presence",
        threadId: setup.phone.threadId,
        presence: { state: "offline", lastSeen: lastSeen.toISOString() },
      });
      // Each is its own event (nothing stored gives it an id): the streams never see two alike.
      expect(typing!.id).not.toBe(offline!.id);
      expect(Number.isNaN(Date.parse(typing!.at))).toBe(false);
    } finally {
      unsubscribe();
      await hub.close();
    }
  });

  it("[visibility] contact.presence reaches exactly the roles that may read the inbox, whatever the contacts area allows", async () => {
    for (const role of USER_ROLES) expect(canSeeEvent(role, "contact.presence")).toBe(canAccess(role, "inbox", "read"));
    await withoutInbox("manager", () => {
      expect(canSeeEvent("manager", "contact.presence")).toBe(false);
      // The contacts area still shows the manager contact events: presence is the inbox's.
      expect(canSeeEvent("manager", "contact.updated")).toBe(true);
      return Promise.resolve();
    });
    expect(canSeeEvent("manager", "contact.presence")).toBe(true);
  });

  it("[publish] the worker's presence finds the contact by phone (E.164 or WhatsApp id) and by LID (with or without a device), and nobody else", async () => {
    const publish = (from: string) =>
      publishContactPresence(setup.db, setup.watcherSessionId, { from, state: "online" });
    for (const from of [
      PHONE,
      `${PHONE.slice(1)}@s.whatsapp.net`,
      `${PHONE.slice(1)}:3@s.whatsapp.net`,
      `${LID}@lid`,
      `${LID}:12@lid`,
    ]) {
      expect(await publish(from), from).toMatchObject({
        contactId: setup.phone.contactId,
        threadId: setup.phone.threadId,
      });
    }
    expect(await publish(`${LID_ONLY}@lid`)).toMatchObject({
      contactId: setup.lidOnly.contactId,
      threadId: setup.lidOnly.threadId,
    });
    // Not a contact of this number (the simulator's contact is another number's), a group, garbage.
    expect(await publish("+14155550199")).toBeNull();
    expect(await publish("120363025246125486@g.us")).toBeNull();
    expect(await publish("nobody")).toBeNull();
  });
});
