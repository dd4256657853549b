/**
 * A Cloud API conversation for the browser tests, set up in the e2e stack's database through the
 * real code (run by a spec as a child process, `node --import tsx`, since Playwright's loader
 * cannot load the catalogue's JSON): `setup` adds a number of engine `cloud` pointed at the fake
 * Graph API (its token sealed under the stack's APP_SECRET), its templates as Meta lists them, and
 * a contact's message through the real ingest, dated 25 hours back; it prints one line
 * `READY <json>`. `teardown <sessionId>` deletes the number (and with it its conversation), so
 * later specs find the stack as they expect.
 *
 * Until the engine's worker has published `cloud`, a descriptor like it is published here.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { createDb } from "~/db/client";
import { messages, waEngines, waSessions, waTemplates } from "~/db/schema";
import { GRAPH_DEFAULT_VERSION, sealCloudSecrets } from "~/server/cloud/config";
import { createBoss, createSendQueue } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { publishEngines } from "~/server/sessions/engines";
import { EXAMPLE_TEMPLATES, FAKE_GRAPH_DEFAULTS } from "../support/fake-graph-server";
import { E2E } from "./stack";
import { cloudEngine } from "~/workers/engines/cloud";

/** The contact (not one other specs use). */
export const CLOUD_CONTACT = { waId: "+14155550177", name: "Ana Souza" };

const databaseUrl = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

async function setup(db: ReturnType<typeof createDb>["db"]) {
  const [published] = await db.select().from(waEngines).where(eq(waEngines.kind, "cloud"));
  if (!published) {
    await publishEngines(db, [cloudEngine.descriptor], "e2e");
  }
  const appSecret = readFileSync(path.join(E2E.dataDir, "app-secret"), "utf8").trim();
  const [session] = await db
    .insert(waSessions)
    .values({
      name: "Bakery (Cloud API)",
      kind: "cloud",
      engineConfig: {
        phoneNumberId: FAKE_GRAPH_DEFAULTS.number.id,
        businessAccountId: FAKE_GRAPH_DEFAULTS.businessAccountId,
        graphVersion: GRAPH_DEFAULT_VERSION,
      },
      engineSecrets: sealCloudSecrets(
        {
          accessToken: FAKE_GRAPH_DEFAULTS.accessToken,
          appSecret: "e2e0c10d5ec12e7a",
          verifyToken: "e2e-verify-token",
        },
        appSecret,
      ),
    })
    .returning();
  await db.insert(waTemplates).values(
    EXAMPLE_TEMPLATES.map((template) => ({
      sessionId: session!.id,
      metaId: String(template.id),
      name: String(template.name),
      language: String(template.language),
      category: String(template.category),
      status: String(template.status),
      components: template.components as never,
    })),
  );
  const boss = createBoss(databaseUrl, "web");
  await boss.start();
  try {
    // The send queue a worker makes when it runs the number (before the engine's worker code
    // exists, nothing else would; with it, the worker's own call finds it made).
    await createSendQueue(boss, session!.id);
    const stored = await ingestInbound(db, boss, {
      sessionId: session!.id,
      waMessageId: `wamid.${randomUUID()}`,
      from: CLOUD_CONTACT.waId,
      pushName: CLOUD_CONTACT.name,
      type: "text",
      body: "Is my order ready?",
    });
    if (stored.status !== "stored") throw new Error(`the contact's message was not stored: ${stored.status}`);
    await db
      .update(messages)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(messages.id, stored.messageId));
    return { sessionId: session!.id, threadId: stored.threadId };
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  }
}

async function main() {
  const [command, sessionId] = process.argv.slice(2);
  const { db, pool } = createDb(databaseUrl, { max: 2 });
  try {
    if (command === "setup") process.stdout.write(`READY ${JSON.stringify(await setup(db))}\n`);
    else if (command === "teardown" && sessionId) await db.delete(waSessions).where(eq(waSessions.id, sessionId));
    else throw new Error("usage: cloud-conversation.ts setup | teardown <sessionId>");
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
