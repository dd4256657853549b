import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb } from "~/db/client";
import { threads } from "~/db/schema";
import { parseAddress } from "~/server/contacts/address";
import { findContactByIdentity } from "~/server/contacts/identities";
import { noteContactPresence } from "~/server/ai/typing";

/**
 * A contact's presence, live and never stored: an engine with `contactPresence` reports it while
 * staff have the conversation open (server/sessions/requests.ts asks for it), the worker
 * announces it here on its own channel, and each web process relays it to the live streams of
 * users who may read the inbox, as an event `contact.presence` (server/events/hub.ts).
 */
export const PRESENCE_CHANNEL = "switchboard_presence";

export const PRESENCE_STATES = ["typing", "recording", "online", "offline", "paused"] as const;
export type TPresenceState = (typeof PRESENCE_STATES)[number];

export const ZPresenceNotice = z.object({
  sessionId: z.uuid(),
  contactId: z.uuid(),
  threadId: z.uuid().nullable(),
  state: z.enum(PRESENCE_STATES),
  lastSeen: z.string().nullable(),
  at: z.string(),
});
export type TPresenceNotice = z.infer<typeof ZPresenceNotice>;

/**
 * Announces a contact's presence (`from` as the engine names them: a WhatsApp id or E.164) to
 * the web. A sender that is no contact of the session is not announced. Returns what was sent.
 */
export async function publishContactPresence(
  db: TDb,
  sessionId: string,
  presence: { from: string; state: TPresenceState; lastSeen?: Date },
): Promise<TPresenceNotice | null> {
  const identity = parseAddress(presence.from);
  if (!identity) return null;
  const contact = await findContactByIdentity(db, sessionId, identity);
  if (!contact) return null;
  // Remembered a few seconds in this process, where the AI's burst check reads it (server/ai/burst.ts).
  noteContactPresence(contact.id, presence.state);
  const [thread] = await db.select({ id: threads.id }).from(threads).where(eq(threads.contactId, contact.id));
  const notice: TPresenceNotice = {
    sessionId,
    contactId: contact.id,
    threadId: thread?.id ?? null,
    state: presence.state,
    lastSeen: presence.lastSeen?.toISOString() ?? null,
    at: new Date().toISOString(),
  };
  await db.execute(sql`select pg_notify(${PRESENCE_CHANNEL}, ${JSON.stringify(notice)})`);
  return notice;
}
