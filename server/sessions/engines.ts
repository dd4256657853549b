import { asc, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, threads, waEngines, waSessions } from "~/db/schema";
import {
  ENGINE_CONTROLS,
  ENGINE_SETTINGS,
  NO_CAPABILITIES,
  readEngineCapabilities,
  ZEngineDescriptor,
  type TEngineCapabilities,
  type TEngineControl,
  type TEngineDescriptor,
  type TEngineSetting,
} from "./engine-capabilities";

/**
 * The engine registry as the web sees it: each worker publishes the engines it runs when it
 * starts (`publishEngines`), and the web reads them here (`listEngines`), so the web never
 * imports the worker's code. An engine stays listed once published; a newer worker's
 * description replaces an older one.
 */

/** Upserts the descriptors of the engines a worker runs (validated: a bad one is a programming error, thrown). */
export async function publishEngines(
  db: TDbOrTx,
  descriptors: readonly TEngineDescriptor[],
  publishedBy: string,
): Promise<void> {
  if (descriptors.length === 0) return;
  const rows = descriptors.map((descriptor) => {
    const valid = ZEngineDescriptor.parse(descriptor);
    return { ...valid, publishedBy, updatedAt: new Date() };
  });
  await db
    .insert(waEngines)
    .values(rows)
    .onConflictDoUpdate({
      target: waEngines.kind,
      set: {
        label: sql`excluded.label`,
        description: sql`excluded.description`,
        capabilities: sql`excluded.capabilities`,
        settings: sql`excluded.settings`,
        controls: sql`excluded.controls`,
        addable: sql`excluded.addable`,
        publishedBy: sql`excluded.published_by`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

type TEngineRow = typeof waEngines.$inferSelect;

/** A stored row as a descriptor; unknown settings or controls (from a newer worker) are left out, bad capabilities read as none. */
function toDescriptor(row: TEngineRow): TEngineDescriptor {
  return {
    kind: row.kind,
    label: row.label,
    description: row.description,
    capabilities: readEngineCapabilities(row.capabilities),
    settings: row.settings.filter((name): name is TEngineSetting =>
      (ENGINE_SETTINGS as readonly string[]).includes(name),
    ),
    controls: row.controls.filter((name): name is TEngineControl =>
      (ENGINE_CONTROLS as readonly string[]).includes(name),
    ),
    addable: row.addable,
  };
}

/** Every published engine, by label. */
export async function listEngines(db: TDbOrTx): Promise<TEngineDescriptor[]> {
  const rows = await db.select().from(waEngines).orderBy(asc(waEngines.label));
  return rows.map(toDescriptor);
}

/** One published engine, or null when no worker has published it. */
export async function getEngine(db: TDbOrTx, kind: string): Promise<TEngineDescriptor | null> {
  const [row] = await db.select().from(waEngines).where(eq(waEngines.kind, kind));
  return row ? toDescriptor(row) : null;
}

/**
 * A conversation's number and what its engine can do (nothing for an engine no worker has
 * published), with the contact's address on it; null when there is no such conversation.
 */
export async function engineOfThread(
  db: TDbOrTx,
  threadId: string,
): Promise<{ sessionId: string; address: string; capabilities: TEngineCapabilities } | null> {
  const [row] = await db
    .select({ sessionId: contacts.sessionId, address: contacts.waId, kind: waSessions.kind })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .innerJoin(waSessions, eq(waSessions.id, contacts.sessionId))
    .where(eq(threads.id, threadId));
  if (!row) return null;
  const engine = await getEngine(db, row.kind);
  return { sessionId: row.sessionId, address: row.address, capabilities: engine?.capabilities ?? NO_CAPABILITIES };
}

/** How the web shows a session whose engine no worker has published (yet): its kind as its name, able to do nothing. */
export function unpublishedEngine(kind: string): TEngineDescriptor {
  return {
    kind,
    label: kind,
    description: "No worker has published this engine yet.",
    capabilities: readEngineCapabilities(null),
    settings: ["pacing"],
    controls: [],
    addable: false,
  };
}
