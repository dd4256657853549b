import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { mediaObjects, type TMediaCategory } from "~/db/schema";
import { AppError } from "~/server/errors";
import { fetchMediaUrl, MediaUrlError } from "~/server/media/fetch-url";
import { MediaRefusedError, type TIntakeExpect, type TIntakeResult } from "~/server/media/intake";
import { kindFitsType, mediaContentFor } from "~/server/media/outbound-content";
import { MediaTooLargeError } from "~/server/media/store";
import type { TMediaLinker, TMediaLinks } from "~/server/media/public-content";
import { MEDIA_KINDS, type TMediaKind, type TMediaRef, type TMessageContent } from "~/server/messages/content";
import { isMultipart, MultipartRefusal, readMultipartUpload } from "./multipart";

/**
 * Media in the REST API: files arrive with a send (multipart upload, or a URL fetched here), or
 * once through `POST /api/v1/media` and then by id; every answer's media carries signed links.
 * Files from outside go through the media intake (real type by content, the kind's size limit,
 * streamed into the store), before any transaction, so no transaction waits on a network.
 */

/** What the intake needs to know about a file, and what it found (server/media/intake.ts). */
export type TRestIntakeExpect = TIntakeExpect;
export type TRestIntakeResult = TIntakeResult;

/** The media parts of the REST API's dependencies (the route wires the real intake, store and signer). */
export type TRestMedia = {
  /** `intakeMedia` bound to the db, the store and the limits. */
  intake: (source: Readable, expect: TRestIntakeExpect) => Promise<TRestIntakeResult>;
  /** Signed links to a stored file under `origin` (`signedMediaLinks`). */
  links: (media: TMediaRef, origin: string) => TMediaLinks | null;
  /** The origin of every link: NEXTAUTH_URL, else the address the client used (the route decides); unset: the request URL's. */
  publicOrigin?: string;
  /** The largest file a kind may be (a URL's declared size over it is refused before reading). */
  maxBytes: (kind: TMediaKind | undefined) => number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: a media URL on loopback or a private network is fetched. */
  allowPrivate: boolean;
  /** The whole download of a media URL. */
  fetchTimeoutMs: number;
};

/** The origin of links in an answer to `request`: the configured public address, else the request's own. */
export function linkOrigin(media: TRestMedia, request: Request): string {
  return new URL(media.publicOrigin ?? request.url).origin;
}

/** A linker for one request's answers. */
export function requestLinker(media: TRestMedia | undefined, request: Request): TMediaLinker | null {
  if (!media) return null;
  const origin = linkOrigin(media, request);
  return (ref) => media.links(ref, origin);
}

/** A media refusal as the API answers it. */
export class ApiMediaRefusal extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 422,
    readonly code: "bad_request" | "payload_too_large" | "unsupported_media_type" | "unprocessable",
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "ApiMediaRefusal";
  }
}

type TIntakeRefusalCode = MediaRefusedError["code"];

/** The intake's refusal of a file (or the store's size cut-off), or null for any other error. */
function intakeRefusal(error: unknown): { code: TIntakeRefusalCode; detail: string } | null {
  if (error instanceof MediaRefusedError) return { code: error.code, detail: error.detail };
  if (error instanceof MediaTooLargeError) return { code: "too_large", detail: error.message };
  return null;
}

/** The API's answer to an intake refusal, said about the file `where` ("The file", "The file at …"). */
function refusalOfIntake(error: unknown, where: string, field: string): ApiMediaRefusal | null {
  const refused = intakeRefusal(error);
  if (!refused) return null;
  switch (refused.code) {
    case "too_large":
      return new ApiMediaRefusal(413, "payload_too_large", `${where} is too large: ${refused.detail}.`, field);
    case "type_mismatch":
      return new ApiMediaRefusal(
        415,
        "unsupported_media_type",
        `${where} is not what it claims: ${refused.detail}.`,
        field,
      );
    case "unsupported_type":
      return new ApiMediaRefusal(
        415,
        "unsupported_media_type",
        `${where} is of a type WhatsApp cannot send: ${refused.detail}.`,
        field,
      );
    case "empty":
      return new ApiMediaRefusal(400, "bad_request", `${where} is empty.`, field);
  }
}

const ZKind = z.enum(MEDIA_KINDS);

/** What the by-URL form names: the URL, and optionally the kind and file name. */
const ZMediaByUrl = z.object({
  url: z.string().max(2_048),
  kind: ZKind.optional(),
  fileName: z.string().max(500).optional(),
});

/** A stored file, as the send answers it after an upload or a fetch: the body then names it by id. */
function asMediaId(result: TRestIntakeResult, kind: TMediaKind | undefined, fileName: string | undefined) {
  return {
    id: result.sha256,
    kind: kind ?? result.kind,
    ...((fileName ?? result.fileName) ? { fileName: fileName ?? result.fileName } : {}),
  };
}

/** Streams one file (an upload's part, a URL's body) through the intake; a refusal becomes the API's answer. */
async function intakeOne(
  media: TRestMedia,
  source: Readable,
  expect: TRestIntakeExpect,
  where: string,
  field: string,
): Promise<TRestIntakeResult> {
  try {
    return await media.intake(source, expect);
  } catch (error) {
    throw refusalOfIntake(error, where, field) ?? error;
  }
}

/**
 * A multipart send or upload: the fields, and the one file streamed through the intake. The
 * result is the JSON body the operation's schema reads (`media: { id, kind, fileName }` for the
 * file), and a fingerprint text for idempotency (the fields and the file's SHA-256).
 */
export async function readMediaUpload(
  request: Request,
  media: TRestMedia,
  shape: (fields: Record<string, string>, file: TRestIntakeResult & { requestedKind?: TMediaKind }) => unknown,
): Promise<{ text: string; value: unknown }> {
  let requestedKind: TMediaKind | undefined;
  const { fields, result } = await readMultipartUpload(request, async (before, file) => {
    const kind = before.kind && before.kind !== "auto" ? ZKind.safeParse(before.kind) : null;
    if (kind && !kind.success) {
      file.stream.resume();
      throw new ApiMediaRefusal(400, "bad_request", `“kind” must be one of ${MEDIA_KINDS.join(", ")} or auto.`, "kind");
    }
    requestedKind = kind?.data;
    return intakeOne(
      media,
      file.stream,
      {
        kind: requestedKind,
        claimedMimeType: file.claimedMimeType,
        fileName: file.fileName,
        maxBytes: media.maxBytes(requestedKind),
      },
      "The file",
      "file",
    );
  }).catch((error: unknown) => {
    if (error instanceof MultipartRefusal) {
      throw new ApiMediaRefusal(
        error.status === 415 ? 415 : 400,
        error.status === 415 ? "unsupported_media_type" : "bad_request",
        error.message,
        error.field,
      );
    }
    throw error;
  });
  const value = shape(fields, { ...result, requestedKind });
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .update(result.sha256)
    .digest("hex");
  return { text: `multipart ${fingerprint}`, value };
}

/** Whether a request carries a multipart body. */
export function isMultipartRequest(request: Request): boolean {
  return isMultipart(request.headers.get("content-type"));
}

/** A URL refusal as the API answers it: the URL's own fault (400), or what happened there (422, 413). */
function refusalOfUrl(error: MediaUrlError): ApiMediaRefusal {
  const field = "media.url";
  switch (error.code) {
    case "bad_url":
      return new ApiMediaRefusal(400, "bad_request", `The media URL is not usable: ${error.message}`, field);
    case "refused_address":
      return new ApiMediaRefusal(400, "bad_request", `The media URL was refused: ${error.message}`, field);
    case "too_large":
      return new ApiMediaRefusal(
        413,
        "payload_too_large",
        `The file at the media URL is too large: ${error.message}`,
        field,
      );
    case "http_status":
      return new ApiMediaRefusal(422, "unprocessable", `The media URL did not give the file: ${error.message}`, field);
    case "too_many_redirects":
      return new ApiMediaRefusal(422, "unprocessable", `The media URL redirects too often: ${error.message}`, field);
    case "timeout":
      return new ApiMediaRefusal(422, "unprocessable", `The media URL was too slow: ${error.message}`, field);
    case "unreachable":
      return new ApiMediaRefusal(422, "unprocessable", `The media URL could not be fetched: ${error.message}`, field);
  }
}

/**
 * A JSON send whose `media` is `{ url }`: fetches the URL (SSRF-guarded, redirects checked, one
 * deadline), streams its body through the intake with the kind's limit, and answers the body with
 * `media: { id, kind, fileName }` instead. Any other body is returned as it is.
 */
export async function resolveMediaUrl(value: unknown, media: TRestMedia): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  const given = (value as { media?: unknown }).media;
  if (typeof given !== "object" || given === null || !("url" in given)) return value;
  const parsed = ZMediaByUrl.safeParse(given);
  // The operation's schema says what is wrong with it.
  if (!parsed.success) return value;
  const { url, kind, fileName } = parsed.data;
  const maxBytes = media.maxBytes(kind);
  let fetched;
  try {
    fetched = await fetchMediaUrl(url, {
      allowPrivate: media.allowPrivate,
      timeoutMs: media.fetchTimeoutMs,
      maxBytes,
    });
  } catch (error) {
    if (error instanceof MediaUrlError) throw refusalOfUrl(error);
    throw error;
  }
  let result: TRestIntakeResult;
  try {
    result = await media.intake(fetched.stream, {
      kind,
      claimedMimeType: fetched.claimedMimeType,
      fileName: fileName ?? fetched.fileName,
      maxBytes,
    });
  } catch (error) {
    fetched.stream.destroy();
    const broke = fetched.failure();
    if (broke) throw refusalOfUrl(broke);
    throw refusalOfIntake(error, "The file at the media URL", "media.url") ?? error;
  }
  return { ...value, media: asMediaId(result, kind, fileName ?? fetched.fileName) };
}

/** The upload's body as the send reads it: the fields, and the file by id. */
export function sendFieldsWithFile(
  fields: Record<string, string>,
  file: TRestIntakeResult & { requestedKind?: TMediaKind },
) {
  // `kind` was the intake's (file.requestedKind); the rest are the send's own fields.
  const rest = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== "kind" && name !== "fileName"));
  return { ...rest, media: asMediaId(file, file.requestedKind, fields.fileName ?? file.fileName) };
}

const CATEGORY_KINDS: Record<TMediaCategory, TMediaKind> = {
  image: "image",
  audio: "audio",
  video: "video",
  document: "document",
};

/**
 * A stored file as the API describes it (`POST /media`'s answer): what it is, and the kind it
 * goes as (the one asked for, which must fit its real type; else its category's). Marks it used.
 */
export async function describeStoredMedia(db: TDbOrTx, sha256: string, kind?: TMediaKind) {
  const [object] = await db
    .update(mediaObjects)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(mediaObjects.sha256, sha256), isNull(mediaObjects.deletedAt)))
    .returning();
  if (!object)
    throw new AppError("NOT_FOUND", "There is no such file; upload it first.", { "media.id": "Unknown file" });
  const sentAs = kind ?? CATEGORY_KINDS[object.category];
  if (!kindFitsType(sentAs, object)) {
    throw new AppError("BAD_REQUEST", "This file cannot be sent as that kind.", {
      "media.kind": "Does not fit the file",
    });
  }
  return { ...object, kind: sentAs };
}

/**
 * The content of an outbound media message from a stored file, sent from `sessionId`
 * (`mediaContentFor`: the file is stored and not removed, its real type fits the kind, the
 * session's engine sends the kind). Without a kind, the file's own category decides.
 */
export async function contentOfStoredMedia(
  db: TDbOrTx,
  input: { sha256: string; kind?: TMediaKind; fileName?: string; caption?: string; sessionId: string },
): Promise<TMessageContent> {
  const kind = input.kind ?? (await describeStoredMedia(db, input.sha256)).kind;
  return mediaContentFor(db, { ...input, kind });
}
