import { webEnv } from "~/server/env";
import { requestHost, type TOriginConfig } from "./request-origin";

/**
 * The CSRF check of the cookie-authenticated route handlers (tRPC, /api/events, CSV exports):
 * the browser sends the session cookie with any request to us, whoever's page made it, so these
 * routes answer only requests from the app's own pages. The REST API (bearer keys, never
 * cookies) and next-auth's routes (their own CSRF token) do not use it.
 */

export type TOriginVerdict = { ok: true } | { ok: false; reason: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request comes from the app's own pages. Fetch metadata decides when the browser
 * sends it (every current browser does): `Sec-Fetch-Site: same-origin` or `none` (typed,
 * bookmarked) passes; `same-site` or `cross-site` is refused, except a top-level navigation that
 * only reads (a link to a CSV export). The browser sets that header and no page can forge it, so
 * a reverse proxy that rewrites Host cannot break the check for it. Without fetch metadata (an
 * older browser), `Origin` must name our own host (a trusted proxy's X-Forwarded-Host, else
 * Host) or NEXTAUTH_URL's origin; a request that changes something and carries neither header
 * is refused: browsers always send one, so only a non-browser client goes without, and it has
 * the REST API.
 */
export function checkSameOrigin(request: { method: string; headers: Headers }, config: TOriginConfig): TOriginVerdict {
  const isSafe = SAFE_METHODS.has(request.method.toUpperCase());
  const site = request.headers.get("sec-fetch-site")?.toLowerCase() ?? null;
  if (site === "same-origin" || site === "none") return { ok: true };
  if (site !== null) {
    const isNavigation =
      request.headers.get("sec-fetch-mode") === "navigate" && request.headers.get("sec-fetch-dest") === "document";
    if (isSafe && isNavigation) return { ok: true };
    return { ok: false, reason: `this request came from another site (Sec-Fetch-Site: ${site})` };
  }
  const origin = request.headers.get("origin");
  if (origin === null) {
    return isSafe
      ? { ok: true }
      : { ok: false, reason: "a request that changes data must say where it comes from (Origin header)" };
  }
  if (!URL.canParse(origin)) return { ok: false, reason: `this request came from an opaque origin (${origin})` };
  const { protocol, host: originHost, origin: normalized } = new URL(origin);
  if (config.publicUrl && normalized === new URL(config.publicUrl).origin) return { ok: true };
  const host = requestHost(request.headers, config);
  // Written as the browser would write it in an Origin of that scheme (default port dropped).
  const ownHost = host && URL.canParse(`${protocol}//${host}`) ? new URL(`${protocol}//${host}`).host : null;
  if (ownHost !== null && ownHost === originHost) return { ok: true };
  return { ok: false, reason: `this request came from ${origin}, not from this app (${host ?? "no Host header"})` };
}

/**
 * For route handlers: null when the request may go on, else the 403 to answer, in the REST
 * API's error shape (`{ error: { code, message } }`).
 */
export function refuseCrossSiteRequest(request: Request): Response | null {
  const env = webEnv();
  const verdict = checkSameOrigin(request, { trustedProxyHops: env.TRUSTED_PROXY_HOPS, publicUrl: env.NEXTAUTH_URL });
  if (verdict.ok) return null;
  return Response.json(
    { error: { code: "FORBIDDEN", message: `Refused: ${verdict.reason}. Use Switchboard from its own pages.` } },
    { status: 403, headers: { "cache-control": "no-store" } },
  );
}

/**
 * For the tRPC route: null when a POST carries JSON, else a 415. tRPC itself also accepts
 * multipart/form-data, which an HTML form on any site can send without a CORS preflight; the
 * app's own client only ever sends JSON.
 */
export function refuseNonJsonBody(request: Request): Response | null {
  if (request.method.toUpperCase() !== "POST") return null;
  const type = request.headers.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase();
  if (type === "application/json") return null;
  return Response.json(
    {
      error: {
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: `Send the request body as JSON (Content-Type: application/json)${type ? `, not ${type}` : ""}.`,
      },
    },
    { status: 415, headers: { "cache-control": "no-store" } },
  );
}
