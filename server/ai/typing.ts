/**
 * The last presence each contact's engine reported, in this process (server/sessions/presence.ts
 * notes it): presence is live and never stored, so only the worker that runs the contact's session
 * knows it. The AI job usually runs there too (one worker); with several workers, a job that runs
 * in another one does not see the typing and answers after the quiet period alone.
 * No imports: the presence module and the burst check both use it.
 */

/** A "typing" notice older than this is stale (WhatsApp repeats it every few seconds while they type). */
export const TYPING_FRESH_MS = 8_000;
const lastPresence = new Map<string, { state: string; at: number }>();
const MAX_REMEMBERED = 10_000;

/** Remembers a contact's presence for the burst check (called where the engine reports it). */
export function noteContactPresence(contactId: string, state: string, at: number = Date.now()): void {
  if (lastPresence.size >= MAX_REMEMBERED) {
    // Forget whatever is stale; if everything is fresh, forget everything (typing is a hint).
    for (const [id, seen] of lastPresence) if (at - seen.at > TYPING_FRESH_MS) lastPresence.delete(id);
    if (lastPresence.size >= MAX_REMEMBERED) lastPresence.clear();
  }
  lastPresence.set(contactId, { state, at });
}

/** Whether the contact was reported typing (or recording) after `since`, and recently. */
export function isContactTyping(contactId: string, since: Date, now: number = Date.now()): boolean {
  const seen = lastPresence.get(contactId);
  if (!seen || (seen.state !== "typing" && seen.state !== "recording")) return false;
  return seen.at > since.getTime() && now - seen.at <= TYPING_FRESH_MS;
}
