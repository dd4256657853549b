import type { TMediaDownload } from "~/server/media/receive";
import type { TMessageContent } from "~/server/messages/content";

/**
 * Inbound files of a Baileys number: fetched from WhatsApp's media servers and decrypted by the
 * library's own `downloadContentFromMessage`, from the reference `mapInbound` kept in the
 * content's `media.engineRef` (so any worker can fetch it, after a restart too).
 * SKELETON (lead): the mapping helper implements it.
 */
export async function downloadBaileysMedia(
  _message: { waMessageId: string; content: TMessageContent },
  _signal: AbortSignal,
): Promise<TMediaDownload | null> {
  throw new Error("not implemented yet");
}
