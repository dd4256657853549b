import { createHash } from "node:crypto";

/** How many of our own sends are remembered (ids, client refs): enough for any echo or retry to come. */
const REMEMBERED = 10_000;

/**
 * The WhatsApp id of a send: derived from the session and the send's client ref, so a retry of
 * the same queued message (after a crash between WhatsApp accepting it and our recording it)
 * goes out under the same id, and WhatsApp's own echo of it can be recognised before the send
 * call even returns. Shaped like Baileys' own ids (`3EB0` + 18 upper-case hex digits).
 */
export function baileysMessageIdOf(sessionId: string, clientRef: string): string {
  const digest = createHash("sha256").update(`${sessionId}\u0000${clientRef}`).digest("hex");
  return `3EB0${digest.slice(0, 18).toUpperCase()}`;
}

/**
 * Tells our own sends from messages a person typed on the linked phone. Baileys reports every
 * message the number sends as a `messages.upsert` with `key.fromMe`: our own sends (as `append`,
 * its own-events echo) and those typed on the phone or another linked device. Our sends carry
 * an id we chose, remembered BEFORE the send goes out, so the echo is known whenever it comes.
 */
export function createBaileysEcho() {
  const ours = new Set<string>();
  const refs = new Map<string, string>();
  const remember = (id: string) => {
    ours.add(id);
    if (ours.size > REMEMBERED) ours.delete(ours.values().next().value!);
  };
  return {
    /** Call before the send goes out: its echo is ours from now on. */
    expect(messageId: string) {
      remember(messageId);
    },
    /** The send went out: a retry of this client ref finds its id. */
    sent(clientRef: string, messageId: string) {
      remember(messageId);
      refs.set(clientRef, messageId);
      if (refs.size > REMEMBERED) refs.delete(refs.keys().next().value!);
    },
    /** Whether a `fromMe` message is one of our sends (else a person typed it on the phone). */
    isOurs(messageId: string): boolean {
      return ours.has(messageId);
    },
    /** The id a send with this client ref got, if this process made it. */
    sentIdOf(clientRef: string): string | undefined {
      return refs.get(clientRef);
    },
  };
}

export type TBaileysEcho = ReturnType<typeof createBaileysEcho>;
