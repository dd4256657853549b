import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { TMediaDownload } from "~/server/media/receive";
import { graphBaseUrl, GraphApiError, graphFetch, graphRequest, type TGraphClientOptions } from "./graph";

/**
 * Files through the Cloud API: uploading one to send it by id (POST `/<phone-number-id>/media`,
 * multipart: messaging_product, type, file), and downloading one a contact sent (GET
 * `/<media-id>` for a short-lived URL, then that URL with the same bearer token). Both stream:
 * the file is never held whole in memory.
 */

/** A transfer of a file may take this long (the Graph client's default, 30 s, is for JSON calls). */
const MEDIA_TIMEOUT_MS = 10 * 60_000;

function forMedia(client: TGraphClientOptions): TGraphClientOptions {
  return { ...client, timeoutMs: Math.max(client.timeoutMs ?? 0, MEDIA_TIMEOUT_MS) };
}

/** A file to upload: its type and name, and how to read its bytes. */
export type TCloudUpload = {
  mimeType: string;
  fileName?: string;
  open: () => Promise<Readable>;
};

/** A quoted-string value of a multipart header (no quotes, no line breaks). */
function headerValue(text: string): string {
  return text.replace(/[\r\n"\\]/g, "_");
}

async function* multipart(
  boundary: string,
  fields: Record<string, string>,
  file: { stream: Readable; fileName: string; mimeType: string },
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let head = "";
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${headerValue(file.fileName)}"\r\n` +
    `Content-Type: ${headerValue(file.mimeType)}\r\n\r\n`;
  yield Buffer.from(head, "utf8");
  try {
    for await (const chunk of file.stream) {
      signal?.throwIfAborted();
      yield chunk as Buffer;
    }
  } finally {
    file.stream.destroy();
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`, "utf8");
}

/** The media id Meta gives an uploaded file (kept 30 days), to send it by. */
export async function uploadCloudMedia(
  client: TGraphClientOptions,
  phoneNumberId: string,
  file: TCloudUpload,
  signal?: AbortSignal,
): Promise<string> {
  const boundary = `switchboard-${randomBytes(12).toString("hex")}`;
  const stream = await file.open();
  const mimeType = file.mimeType.trim();
  const answer = await graphRequest<{ id?: unknown }>(
    forMedia(client),
    "POST",
    `${phoneNumberId}/media`,
    {
      stream: multipart(
        boundary,
        { messaging_product: "whatsapp", type: mimeType },
        { stream, fileName: file.fileName ?? "file", mimeType },
        signal,
      ),
      contentType: `multipart/form-data; boundary=${boundary}`,
    },
    signal,
  );
  if (typeof answer.id !== "string" || !answer.id) throw new Error("Meta's media upload answered without an id");
  return answer.id;
}

/**
 * Whether a download URL Meta handed out may get the access token: over HTTPS, or on the
 * configured Graph origin itself (the tests' fake server on loopback). Anything else would send
 * the token in the clear, or to whoever forged the answer.
 */
function mayCarryToken(url: string, client: TGraphClientOptions): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "https:") return true;
  return parsed.origin === new URL(graphBaseUrl(client.baseUrl)).origin;
}

/** Meta no longer has the file (or never had it under this id): an answer, not a failure. */
function isGone(error: unknown): boolean {
  return error instanceof GraphApiError && (error.code === 100 || error.httpStatus === 404 || error.httpStatus === 410);
}

/**
 * The file of media id `mediaId`, streamed, with Meta's type and size; null when Meta says it
 * does not exist (expired after 30 days, or an id it does not know). Other failures reject
 * (the media job tries again).
 */
export async function downloadCloudMedia(
  client: TGraphClientOptions,
  mediaId: string,
  signal?: AbortSignal,
): Promise<TMediaDownload | null> {
  if (!/^[\w.-]{1,200}$/.test(mediaId)) return null;
  let info: { url?: unknown; mime_type?: unknown; file_size?: unknown };
  try {
    info = await graphRequest(client, "GET", mediaId, undefined, signal);
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
  if (typeof info.url !== "string" || !mayCarryToken(info.url, client)) {
    throw new Error("Meta's media answer has no usable download URL");
  }
  let response: Response;
  try {
    response = await graphFetch(forMedia(client), "GET", info.url, undefined, signal);
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
  if (!response.body) return null;
  const mimeType =
    typeof info.mime_type === "string" && info.mime_type
      ? info.mime_type
      : (response.headers.get("content-type") ?? undefined);
  const size = typeof info.file_size === "number" ? info.file_size : Number(info.file_size);
  return {
    stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    ...(mimeType ? { mimeType } : {}),
    ...(Number.isFinite(size) && size >= 0 ? { size } : {}),
  };
}
