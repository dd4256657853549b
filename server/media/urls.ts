import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { TMediaRef } from "~/server/messages/content";
import { isMediaKey } from "./store";

/**
 * Short-lived signed URLs for media: how the dashboard, webhooks and the REST API hand out a
 * file without a public folder and without a session cookie (a webhook's receiver has none).
 * `GET /api/media/<sha256>?e=<expiry>&s=<signature>[&v=thumb][&d=1][&n=<file name>]` (served by
 * serve.ts). The signature is HMAC-SHA256 over the file, the variant, the download flag, the
 * file name and the expiry, under a key derived from APP_SECRET for this purpose only, so a URL
 * cannot be stretched to another file, another name or a later time.
 */

/** The links of one stored file: to show it, its thumbnail (images), to download it, and until when they work. */
export type TMediaLinks = { url: string; thumbUrl?: string; downloadUrl: string; expiresAt: string };

export type TMediaUrlOptions = {
  /** APP_SECRET (the signing key is derived from it). */
  secret: string;
  /** How long the links stay valid, in seconds (at least 5 minutes). */
  ttlS: number;
  /** The app's public origin, for absolute URLs (webhooks, the API); omitted: paths for the dashboard. */
  origin?: string;
  now?: Date;
};

export type TMediaVariant = "full" | "thumb";

export type TMediaRequestVerdict =
  | { ok: true; variant: TMediaVariant; download: boolean; fileName?: string }
  | { ok: false; reason: "expired" | "bad_signature" };

/**
 * Expiries are rounded up to the next 5 minutes: every link to a file made within one window is
 * the same URL, so the browser's cache serves it again instead of fetching it each render.
 */
export const EXPIRY_WINDOW_S = 300;
export const MEDIA_PATH = "/api/media";

const keys = new Map<string, Buffer>();
function signingKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "switchboard", "media-url", 32));
    if (keys.size > 16) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function signature(
  secret: string,
  fields: { sha256: string; variant: TMediaVariant; download: boolean; fileName?: string; expiry: number },
): Buffer {
  // A JSON array: no field can spill into the next (a file name holding the separator).
  const message = JSON.stringify([
    "v1",
    fields.sha256,
    fields.variant,
    fields.download,
    fields.fileName ?? null,
    fields.expiry,
  ]);
  return createHmac("sha256", signingKey(secret)).update(message).digest();
}

/** The expiry of links made at `now` valid for at least `ttlS`: unix seconds, rounded up to the window. */
export function mediaExpiry(now: Date, ttlS: number): number {
  const at = Math.ceil(now.getTime() / 1000) + Math.max(ttlS, EXPIRY_WINDOW_S);
  return Math.ceil(at / EXPIRY_WINDOW_S) * EXPIRY_WINDOW_S;
}

/** One signed link (the path, or an absolute URL with `origin`). */
export function signMediaUrl(
  sha256: string,
  fields: { variant: TMediaVariant; download: boolean; fileName?: string; expiry: number },
  options: { secret: string; origin?: string },
): string {
  const params = new URLSearchParams({ e: String(fields.expiry) });
  if (fields.variant === "thumb") params.set("v", "thumb");
  if (fields.download) params.set("d", "1");
  if (fields.fileName !== undefined) params.set("n", fields.fileName);
  params.set("s", signature(options.secret, { sha256, ...fields }).toString("base64url"));
  const origin = options.origin ? options.origin.replace(/\/+$/, "") : "";
  return `${origin}${MEDIA_PATH}/${sha256}?${params.toString()}`;
}

/**
 * The signed links of a media reference: null unless its file is in the store (`state` stored
 * and a `storageKey`). The name travels in the links (a download is saved under it).
 */
export function signedMediaLinks(media: TMediaRef | undefined, options: TMediaUrlOptions): TMediaLinks | null {
  if (!media || media.state !== "stored" || !media.storageKey || !isMediaKey(media.storageKey)) return null;
  const expiry = mediaExpiry(options.now ?? new Date(), options.ttlS);
  const fileName = media.fileName || undefined;
  const sign = (variant: TMediaVariant, download: boolean) =>
    signMediaUrl(media.storageKey!, { variant, download, fileName, expiry }, options);
  return {
    url: sign("full", false),
    ...(media.thumbKey ? { thumbUrl: sign("thumb", false) } : {}),
    downloadUrl: sign("full", true),
    expiresAt: new Date(expiry * 1000).toISOString(),
  };
}

/**
 * Checks a media request's query against its file's SHA-256: the signature first (a tampered
 * URL says so even when it has also expired), then the expiry.
 */
export function verifyMediaRequest(
  secret: string,
  sha256: string,
  params: URLSearchParams,
  now: Date = new Date(),
): TMediaRequestVerdict {
  const expiryText = params.get("e") ?? "";
  const given = params.get("s") ?? "";
  const variantText = params.get("v");
  const downloadText = params.get("d");
  if (!/^\d{1,12}$/.test(expiryText) || !/^[\w-]{43}$/.test(given)) return { ok: false, reason: "bad_signature" };
  if (variantText !== null && variantText !== "thumb") return { ok: false, reason: "bad_signature" };
  if (downloadText !== null && downloadText !== "1") return { ok: false, reason: "bad_signature" };
  const variant: TMediaVariant = variantText === "thumb" ? "thumb" : "full";
  const fields = {
    sha256,
    variant,
    download: downloadText === "1",
    ...(params.has("n") ? { fileName: params.get("n")! } : {}),
    expiry: Number(expiryText),
  };
  const expected = signature(secret, fields);
  const actual = Buffer.from(given, "base64url");
  // The length check and the re-encoding refuse a second spelling of the same signature.
  if (
    actual.length !== expected.length ||
    actual.toString("base64url") !== given ||
    !timingSafeEqual(actual, expected)
  ) {
    return { ok: false, reason: "bad_signature" };
  }
  if (now.getTime() >= fields.expiry * 1000) return { ok: false, reason: "expired" };
  return {
    ok: true,
    variant: fields.variant,
    download: fields.download,
    ...(fields.fileName !== undefined ? { fileName: fields.fileName } : {}),
  };
}
