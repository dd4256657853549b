import type { AnyMessageContent, WAMessage } from "@whiskeysockets/baileys";
import type { TEngineMediaKind } from "~/server/sessions/engine-capabilities";
import type { TOutboundSend } from "~/server/messaging/outbound";
import { textOf } from "~/server/messages/content";

/**
 * Our queued messages as Baileys' `sendMessage` takes them. SKELETON (lead): text only; the
 * mapping helper completes every kind of the content model.
 */

/** The kinds beside text this engine sends (its `media` capability). */
export const BAILEYS_SENDS: readonly TEngineMediaKind[] = [];

export type TBaileysOutgoing = { content: AnyMessageContent; options: { quoted?: WAMessage } };

/** A queued send as Baileys' content (files are read from the store as a stream only as it sends). */
export async function baileysOutgoing(message: TOutboundSend, _signal?: AbortSignal): Promise<TBaileysOutgoing> {
  const content = message.content;
  if (!content || content.kind === "text") return { content: { text: message.body }, options: {} };
  return { content: { text: textOf(content) }, options: {} };
}
