import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import type { TMediaDownload } from "~/server/media/receive";
import { mediaOf, type TMessageContent } from "~/server/messages/content";
import { parseMediaRef } from "./mapping";

/**
 * Inbound files of a Baileys number: fetched from WhatsApp's media servers and decrypted by the
 * library's own `downloadContentFromMessage`, from the reference `mapInbound` kept in the
 * content's `media.engineRef` (key, path, type), so any worker can fetch it, after a restart too,
 * without the socket that received the message.
 */

/** HTTP statuses by which WhatsApp's media servers say a file is gone (expired); Baileys' own `REUPLOAD_REQUIRED_STATUS`. */
const GONE_STATUSES = new Set([404, 410]);

/** Why a download was refused: the decrypted bytes are not the file the sender described. */
export class MediaIntegrityError extends Error {
  constructor() {
    super("the decrypted file does not match its SHA-256 (the download was damaged or tampered with)");
    this.name = "MediaIntegrityError";
  }
}

/** The HTTP status of a failed download (axios' error, which the library lets through), if any. */
function statusOf(error: unknown): number | undefined {
  const response = (error as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === "number" ? response.status : undefined;
}

/**
 * Passes the bytes through and, at their end, checks them against the SHA-256 the sender put in
 * the message (`fileSha256`): Baileys decrypts without checking the file's MAC (it drops the
 * last 10 bytes), so a damaged or altered file would otherwise be stored as if whole.
 */
function verified(source: Readable, sha256Base64: string | undefined): Readable {
  if (!sha256Base64) return source;
  const hash = createHash("sha256");
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const expected = Buffer.from(sha256Base64, "base64");
      callback(hash.digest().equals(expected) ? null : new MediaIntegrityError());
    },
  });
  source.on("error", (error) => check.destroy(error));
  check.on("close", () => {
    if (!source.destroyed) source.destroy();
  });
  return source.pipe(check);
}

/**
 * The file of an inbound message `mapInbound` marked pending, decrypted, as a stream; null when
 * WhatsApp no longer has it (its media server answers 404 or 410: expired). Rejects when the
 * download failed otherwise (the media job tries again) or the reference is not ours; the
 * stream errors when the decrypted bytes are not the file the message described (a bad padding,
 * or the SHA-256 check). The abort signal cancels the request and the stream.
 */
export async function downloadBaileysMedia(
  message: { waMessageId: string; content: TMessageContent },
  signal: AbortSignal,
): Promise<TMediaDownload | null> {
  const media = mediaOf(message.content);
  const ref = parseMediaRef(media?.engineRef);
  if (!media || !ref) throw new Error(`message ${message.waMessageId} has no Baileys media reference`);
  signal.throwIfAborted();
  const { downloadContentFromMessage } = await import("@whiskeysockets/baileys");
  let stream: Readable;
  try {
    stream = await downloadContentFromMessage(
      { mediaKey: Buffer.from(ref.k, "base64"), directPath: ref.p ?? null, url: ref.u ?? null },
      ref.t,
      { options: { signal } },
    );
  } catch (error) {
    if (GONE_STATUSES.has(statusOf(error) ?? 0)) return null;
    throw error;
  }
  const output = verified(stream, ref.h);
  if (signal.aborted) output.destroy(signal.reason as Error);
  else signal.addEventListener("abort", () => output.destroy(signal.reason as Error), { once: true });
  return {
    stream: output,
    mimeType: media.mimeType,
    ...(media.fileName ? { fileName: media.fileName } : {}),
    ...(media.size !== undefined ? { size: media.size } : {}),
  };
}
