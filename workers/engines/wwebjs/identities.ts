import type { TWwebjsClient } from "./client";
import { lidPhoneLinks } from "./mapping";

/** How long "WhatsApp does not tell this LID's number" is believed before asking again. */
const UNKNOWN_FOR_MS = 10 * 60_000;

/**
 * The phone number behind a LID sender, asked of WhatsApp Web (`client.getContactLidAndPhone`)
 * once per LID and remembered (bounded): the answer goes with the message as its `identity`, and
 * ingest links the two (merging two contacts when both wrote). Every message of one LID waits for
 * the same question, so their order is kept. A failed question is no answer: the message goes on.
 */
export function createLidPhoneLookup(options: { max?: number } = {}) {
  const max = options.max ?? 5_000;
  const asked = new Map<string, { answer: Promise<string | null> }>();
  return {
    phoneOf(client: TWwebjsClient, lidChatId: string): Promise<string | null> {
      const lookup = client.getContactLidAndPhone?.bind(client);
      if (!lookup) return Promise.resolve(null);
      const known = asked.get(lidChatId);
      if (known) return known.answer;
      const answer = lookup([lidChatId])
        .then((found) => lidPhoneLinks(found)[0]?.phone ?? null)
        .catch(() => null);
      asked.set(lidChatId, { answer });
      void answer.then((phone) => {
        // An unknown number is asked again later; a known one stays (a LID keeps its number).
        if (phone === null) setTimeout(() => asked.delete(lidChatId), UNKNOWN_FOR_MS).unref();
      });
      if (asked.size > max) asked.delete(asked.keys().next().value!);
      return answer;
    },
  };
}
