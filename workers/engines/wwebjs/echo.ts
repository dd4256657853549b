import type { TWwebjsMessage } from "./client";
import { isIgnoredChat } from "./mapping";

/** How many of our own sends are remembered (ids, client refs): enough for any echo or retry to come. */
const REMEMBERED = 10_000;

/** What a `message_create` event is: a contact's message, a chat we ignore, our own send, or a person typing on the phone. */
export type TCreatedMessageOrigin = "contact" | "ignored" | "ours" | "phone";

/**
 * Tells our own sends from messages a person typed on the linked phone. whatsapp-web.js fires
 * `message_create` for every message the number sends, whoever sent it, and may fire it for
 * our send before `sendMessage` resolves with the id: so a send is known by its id once it
 * resolved, and before that by its chat and body while it is in flight. Also remembers which
 * client ref got which id, so a retry of a send this process made but could not record finds it.
 */
export function createEchoFilter() {
  const ours = new Set<string>();
  const refs = new Map<string, string>();
  /**
   * Sends in flight per chat: their bodies (a text's words), the library's message types a media
   * send may be announced as (its body is then the caption, or nothing), and whether a
   * `message_create` already claimed each.
   */
  const inFlight = new Map<string, { body: string; types: readonly string[] | null; claimed: boolean }[]>();

  const remember = (id: string) => {
    ours.add(id);
    if (ours.size > REMEMBERED) ours.delete(ours.values().next().value!);
  };

  return {
    /**
     * Call before handing a send to the client; call the returned function once it settled,
     * with the id the client gave it (or null when it failed). A text is matched by its words;
     * anything else by the library's message types it may be announced as (`types`).
     */
    beginSend(
      chatId: string,
      body: string,
      clientRef: string,
      types: readonly string[] | null = null,
    ): (sentId: string | null) => void {
      const entry = { body, types, claimed: false };
      const pending = inFlight.get(chatId) ?? [];
      pending.push(entry);
      inFlight.set(chatId, pending);
      return (sentId) => {
        const index = pending.indexOf(entry);
        if (index >= 0) pending.splice(index, 1);
        if (pending.length === 0 && inFlight.get(chatId) === pending) inFlight.delete(chatId);
        if (sentId === null) return;
        remember(sentId);
        refs.set(clientRef, sentId);
        if (refs.size > REMEMBERED) refs.delete(refs.keys().next().value!);
      };
    },

    /** Where a `message_create` event's message came from (claims an in-flight send it matches). */
    classify(
      message: Pick<TWwebjsMessage, "to" | "body" | "fromMe"> & { id: { _serialized: string }; type?: string },
    ): TCreatedMessageOrigin {
      if (!message.fromMe) return "contact";
      if (ours.has(message.id._serialized)) return "ours";
      if (isIgnoredChat(message.to)) return "ignored";
      const match = inFlight
        .get(message.to)
        ?.find(
          (entry) =>
            !entry.claimed &&
            (entry.types === null
              ? entry.body === message.body
              : message.type !== undefined && entry.types.includes(message.type)),
        );
      if (match) {
        match.claimed = true;
        remember(message.id._serialized);
        return "ours";
      }
      return "phone";
    },

    /** The id a send with this client ref got, if this process made it. */
    sentIdOf(clientRef: string): string | undefined {
      return refs.get(clientRef);
    },
  };
}

export type TEchoFilter = ReturnType<typeof createEchoFilter>;
