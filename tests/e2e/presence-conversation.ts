/**
 * Conversations on a number whose engine reports contact presence, for tests/e2e/presence.spec.ts,
 * set up in the e2e stack's database through the real code (run by the spec as a child process,
 * `node --import tsx`, since Playwright's loader cannot load the catalogue's JSON): `setup`
 * publishes an engine `presence-e2e` with `contactPresence` (no worker runs it, so no worker
 * leases its number and every presence comes from the test), adds a number of it and one contact
 * message per conversation through the real ingest; it prints one line `READY <json>`.
 * `teardown <sessionId>` deletes the number (and its conversations) and the engine, so later
 * specs find the stack as they expect.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createDb } from "~/db/client";
import { waEngines, waSessions } from "~/db/schema";
import { createBoss, createSendQueue } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { publishEngines } from "~/server/sessions/engines";
import { simulatorEngine } from "~/workers/engines/simulator";
import { E2E } from "./stack";

/** The contacts (not ones other specs use): one conversation per viewport the spec opens. */
export const PRESENCE_CONTACTS = [
  { waId: "+14155550181", name: "Bia Presença" },
  { waId: "+14155550182", name: "Caio Presença" },
] as const;

const ENGINE_KIND = "presence-e2e";
const databaseUrl = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

async function setup(db: ReturnType<typeof createDb>["db"]) {
  await publishEngines(
    db,
    [
      {
        kind: ENGINE_KIND,
        label: "Presence (e2e)",
        description: "Reports contact presence; run by no worker (browser tests)",
        capabilities: { ...simulatorEngine.descriptor.capabilities, contactPresence: true },
        settings: ["pacing"],
        controls: [],
        addable: false,
      },
    ],
    "e2e",
  );
  const [session] = await db.insert(waSessions).values({ name: "Presence number", kind: ENGINE_KIND }).returning();
  const boss = createBoss(databaseUrl, "web");
  await boss.start();
  try {
    // A bot reply to the contact's message is queued here, and stays queued: no worker runs the number.
    await createSendQueue(boss, session!.id);
    const conversations = [];
    for (const contact of PRESENCE_CONTACTS) {
      const stored = await ingestInbound(db, boss, {
        sessionId: session!.id,
        waMessageId: `presence-${randomUUID()}`,
        from: contact.waId,
        pushName: contact.name,
        type: "text",
        body: "Are you there?",
      });
      if (stored.status !== "stored") throw new Error(`the contact's message was not stored: ${stored.status}`);
      conversations.push({ ...contact, threadId: stored.threadId, contactId: stored.contactId });
    }
    return { sessionId: session!.id, conversations };
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  }
}

async function main() {
  const [command, sessionId] = process.argv.slice(2);
  const { db, pool } = createDb(databaseUrl, { max: 2 });
  try {
    if (command === "setup") process.stdout.write(`READY ${JSON.stringify(await setup(db))}\n`);
    else if (command === "teardown" && sessionId) {
      await db.delete(waSessions).where(eq(waSessions.id, sessionId));
      // An engine no worker runs would stay listed on the Sessions page for the specs after this one.
      await db.delete(waEngines).where(eq(waEngines.kind, ENGINE_KIND));
    } else throw new Error("usage: presence-conversation.ts setup | teardown <sessionId>");
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
