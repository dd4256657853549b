import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { mediaObjects } from "~/db/schema/media";
import { domainText, serverText } from "~/server/i18n/domain";
import { negotiateLocale } from "~/server/i18n/locales";
import { cleanFileName } from "./intake";
import { baseTypeOf, isBlockedFileName } from "./sniff";
import { isMediaKey, type TByteRange, type TMediaStore } from "./store";
import { verifyMediaRequest } from "./urls";

/**
 * `GET|HEAD /api/media/<sha256>?e=…&s=…`: a stored file for whoever holds a valid signed URL
 * (urls.ts), with no session (webhooks hand these URLs to other systems). Streams from the store,
 * never buffers; answers byte ranges (browsers need them to play audio and video and to seek).
 * The file is sent as its real type (found at intake) with `nosniff`, a sandboxing CSP, and
 * `inline` only for pictures, audio and video (everything else downloads as an attachment), so
 * a stored file can never run as a page of the app.
 */

export type TServeDeps = {
  db: TDbOrTx;
  store: TMediaStore;
  /** APP_SECRET. */
  secret: string;
  /** Headers every response carries (the app's security headers); the CSP is replaced by the sandbox. */
  baseHeaders?: Record<string, string>;
  now?: () => Date;
};

/** A served file can load nothing, run nothing, and is a unique origin if opened as a page. */
export const MEDIA_CSP = "default-src 'none'; sandbox";

type TErrorCode = "bad_signature" | "expired" | "removed" | "not_found" | "range_not_satisfiable";
const ERROR_TEXT: Record<TErrorCode, string> = {
  bad_signature: "mediaIntake.linkInvalid",
  expired: "mediaIntake.linkExpired",
  removed: "mediaIntake.fileRemoved",
  not_found: "mediaIntake.fileNotFound",
  range_not_satisfiable: "mediaIntake.rangeNotSatisfiable",
};

/** Extensions for a download's default name, by real type. */
const EXTENSION_OF: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "audio/wav": "wav",
  "audio/webm": "webm",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/csv": "csv",
  "application/json": "json",
};

/**
 * A byte range of a file of `size` bytes from a `Range` header: null to send the whole file (no
 * header, a malformed one, or several ranges, which a server may answer whole), "unsatisfiable"
 * for a range past the end.
 */
export function parseRange(header: string | null, size: number): TByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, startText = "", endText = ""] = match;
  if (startText === "" && endText === "") return null;
  if (startText === "") {
    const suffix = Number(endText);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(startText);
  const end = endText === "" ? size - 1 : Math.min(Number(endText), size - 1);
  if (!Number.isSafeInteger(start)) return "unsatisfiable";
  if (endText !== "" && Number(endText) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** `attachment; filename="…"; filename*=UTF-8''…` (an ASCII fallback, then the real name). */
export function contentDisposition(type: "inline" | "attachment", fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function contentTypeOf(mimeType: string): string {
  const base = baseTypeOf(mimeType);
  if (base.startsWith("text/") || base === "application/json" || base === "application/xml") {
    return `${base}; charset=utf-8`;
  }
  return mimeType;
}

export async function serveMedia(request: Request, sha256: string, deps: TServeDeps): Promise<Response> {
  const now = deps.now?.() ?? new Date();
  const base = { ...deps.baseHeaders, "content-security-policy": MEDIA_CSP, "x-content-type-options": "nosniff" };
  // A signed URL has no session: errors speak the browser's language.
  const locale = negotiateLocale(request.headers.get("accept-language"));
  const fail = (status: number, code: TErrorCode, extra: Record<string, string> = {}) =>
    Response.json(
      { error: { code, message: domainText(locale, serverText(ERROR_TEXT[code])) } },
      { status, headers: { ...base, "cache-control": "no-store", ...extra } },
    );

  if (!isMediaKey(sha256)) return fail(404, "not_found");
  const params = new URL(request.url).searchParams;
  const verdict = verifyMediaRequest(deps.secret, sha256, params, now);
  if (!verdict.ok) return verdict.reason === "expired" ? fail(410, "expired") : fail(403, "bad_signature");

  const [row] = await deps.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256));
  if (!row) return fail(404, "not_found");
  if (row.deletedAt) return fail(410, "removed");

  const isThumb = verdict.variant === "thumb";
  const key = isThumb ? row.thumbSha256 : row.sha256;
  if (!key || !isMediaKey(key)) return fail(404, "not_found");
  const mimeType = isThumb ? "image/webp" : row.mimeType;
  const isInline = isThumb || (!verdict.download && row.category !== "document");
  const named = cleanFileName(verdict.fileName);
  const fallbackName = `${sha256.slice(0, 12)}${EXTENSION_OF[baseTypeOf(mimeType)] ? `.${EXTENSION_OF[baseTypeOf(mimeType)]}` : ""}`;
  const fileName = named && !isBlockedFileName(named) ? named : fallbackName;
  const expiry = Number(params.get("e"));
  const headers: Record<string, string> = {
    ...base,
    "content-type": contentTypeOf(mimeType),
    "content-disposition": contentDisposition(isInline ? "inline" : "attachment", fileName),
    "cache-control": `private, max-age=${Math.max(0, Math.floor(expiry - now.getTime() / 1000))}`,
    etag: `"${key}"`,
    // Other systems (a webhook's receiver, a CRM) may show what they were handed.
    "cross-origin-resource-policy": "cross-origin",
    "referrer-policy": "no-referrer",
  };

  if (
    request.headers
      .get("if-none-match")
      ?.split(",")
      .some((tag) => tag.trim().replace(/^W\//, "") === `"${key}"`)
  ) {
    return new Response(null, { status: 304, headers });
  }

  // A thumbnail is small and has no size on record: always sent whole.
  const size = isThumb ? null : row.size;
  const range = size === null ? null : parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") return fail(416, "range_not_satisfiable", { "content-range": `bytes */${size}` });
  if (size !== null) headers["accept-ranges"] = "bytes";

  if (request.method.toUpperCase() === "HEAD") {
    if (!(await deps.store.has(key))) return fail(404, "not_found");
    if (size === null) return new Response(null, { status: 200, headers });
    return range
      ? new Response(null, {
          status: 206,
          headers: {
            ...headers,
            "content-length": String(range.end - range.start + 1),
            "content-range": `bytes ${range.start}-${range.end}/${size}`,
          },
        })
      : new Response(null, { status: 200, headers: { ...headers, "content-length": String(size) } });
  }

  const found = await deps.store.get(key, range ?? undefined);
  if (!found) return fail(404, "not_found");
  const body = Readable.toWeb(found.stream) as ReadableStream<Uint8Array>;
  if (range) {
    return new Response(body, {
      status: 206,
      headers: {
        ...headers,
        "content-length": String(range.end - range.start + 1),
        "content-range": `bytes ${range.start}-${range.end}/${found.size}`,
      },
    });
  }
  return new Response(body, { status: 200, headers: { ...headers, "content-length": String(found.size) } });
}
